"""The companion text stays true to the notebook.

* Every code block marked `<!-- notebook: NAME -->` in `CNN_Filter_Visualization_Concepts_Explained.md` is an
  excerpt of the current source of NAME, a top-level function, class or constant of a `definitions` cell: its
  lines, trailing whitespace ignored, appear one after the other in NAME's source. The excerpt may leave out
  the indentation its lines share (a few lines from inside a function are quoted flush left), never part of it
  for some lines only. A whole short definition is an excerpt too.
* No code block is longer than 15 lines: the text quotes the lines that carry an idea, not whole functions.
* The worked example's printed numbers are what its code prints.
* Every image, file and heading the text links to exists, in the text itself or in the notebook (GitHub's
  anchor rules); every concept section links to the notebook section it explains; every picture's caption
  names the HED-tuned weights (the code-drawn `diagram_*` images excepted); the references are there.
* No `{{run: ...}}` placeholder is left: a number that a run of the notebook prints is written as such a
  placeholder until the committed run has printed it.
* Every number the text quotes from the run is still what the committed run prints (`FROM_THE_RUN`).

Only the standard library and the notebook's JSON are read: no TensorFlow, so this runs in well under a second.

There is no `--resync` any more: which lines of a function carry an idea is the writer's choice, so a stale
excerpt cannot be re-cut by a script. When one goes stale, the failure shows the notebook lines nearest to it;
paste them back in (or choose other lines) and reread the prose around the block.
"""

import ast
import contextlib
import difflib
import functools
import io
import json
import re
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPLAINER = ROOT / "CNN_Filter_Visualization_Concepts_Explained.md"
NOTEBOOK = ROOT / "Visualizing_Filters_of_a_CNN.ipynb"

# Names the text must quote; the markers may quote more.
REQUIRED_QUOTES = {"feature_extractor", "mean_activation", "gradient_ascent_step", "filter_objective", "FourierImage",
                   "decorrelated_to_rgb", "random_transform", "render", "visualize_filters", "receptive_box",
                   "layer_geometries", "measure_activation", "METHODS"}
MINIMUM_MARKERS = 12
MAXIMUM_BLOCK_LINES = 15

# Sections that explain no single notebook section, so need not link to one (by heading text).
SECTIONS_WITHOUT_NOTEBOOK_LINK = {"Contents", "Limits and pitfalls", "Further reading"}

# (what, strings that must all appear in the references section)
REFERENCES = [
    ("Erhan et al. 2009", ["Erhan", "Visualizing Higher-Layer Features of a Deep Network", "1341"]),
    ("Simonyan, Vedaldi, Zisserman 2013", ["Deep Inside Convolutional Networks", "arXiv:1312.6034"]),
    ("Zeiler & Fergus 2014", ["Visualizing and Understanding Convolutional Networks", "ECCV 2014",
                              "arXiv:1311.2901"]),
    ("Olah, Mordvintsev, Schubert 2017", ["Feature Visualization", "Distill", "10.23915/distill.00007"]),
    ("Simonyan & Zisserman 2014", ["Very Deep Convolutional Networks for Large-Scale Image Recognition",
                                   "arXiv:1409.1556"]),
    ("Fel et al. 2023 (MACO)", ["MAgnitude Constrained Optimization", "arXiv:2306.06805"]),
    ("Mordvintsev et al. 2018", ["Differentiable Image Parameterizations", "10.23915/distill.00012"]),
    ("Adebayo et al. 2018", ["Adebayo", "Sanity Checks for Saliency Maps", "NeurIPS 2018", "arXiv:1810.03292"]),
]
# (reference, a string the text outside the references section must contain: the reference is used, not only listed)
CITED_IN_THE_TEXT = [("Adebayo et al. 2018", "Adebayo"), ("Olah et al. 2017", "Olah"), ("Fel et al. 2023", "Fel")]

# Every number the text quotes from the committed run, by where the run prints it: (a piece of the printed
# outputs, as the cell prints it, runs of spaces written as one; the numbers the text takes from it, each written
# in the text exactly as it is printed there). When a re-run prints other numbers, the piece is no longer in the
# outputs and the test fails until the text and this table are updated together.
FROM_THE_RUN = [
    ("Loaded VGG16 (no top), 13 conv layers, computing in mixed_bfloat16.", ["mixed_bfloat16"]),
    ("activation_4: median activation under unseen transformations 1.00 with 'fourier', 0.54 with the Keras "
     "example's recipe (1.8×)", ["1.8×"]),
    ("activation_6: median activation under unseen transformations 0.70 with 'fourier', 0.32 with the Keras "
     "example's recipe (2.2×)", ["2.2×"]),
    ("'steps': 48, 'learning_rate': None, 'seed': 42", ["48", "42"]),
    ("12 photos:", ["12"]),
    ("block1_conv1 0 of 64 filters (almost) never fire", ["0 of 64"]),
    ("block5_conv1 155 of 512 filters (almost) never fire", ["155 of 512"]),
    ("mean activation 1683.1 after 30 naive steps", ["1683.1", "30"]),
    ("naive pixels 149 (132–185) 81 (72–86) 25 (21–29) 0.64 (0.59–0.68)", ["149", "25", "0.64"]),
    ("+ transformations 108 (104–129) 94 (88–108) 36 (30–40) 0.42 (0.33–0.45)", ["108", "36", "0.42"]),
    ("+ Adam, rising 162 (148–196) 135 (125–152) 48 (43–55) 0.35 (0.30–0.37)", ["48", "0.35"]),
    ("+ Fourier 1/f 233 (228–279) 209 (200–249) 79 (69–97) 0.22 (0.17–0.27) 0.83 (0.81–0.84)",
     ["79", "0.22", "0.83"]),
    ("+ band limit 227 (214–264) 204 (187–244) 77 (66–102) 0.08 (0.06–0.11)", ["77", "0.08"]),
    ("+ decorrelated colour 160 (154–178) 140 (137–159) 54 (49–64) 0.03 (0.02–0.04) 0.54 (0.49–0.56)",
     ["54", "0.03", "0.54"]),
    ("MACO, not Fourier 92 (85–102) 80 (77–91) 30 (29–36) 0.05 (0.05–0.05)", ["30", "0.05"]),
    ("TV penalty, not Fourier 116 (102–129) 99 (84–114) 38 (36–51) 0.20 (0.12–0.24)", ["38", "0.20"]),
    ("block4_conv3: synthetic pictures, mean activation over the map 138–220; the strongest single unit on any "
     "photo 72", ["138–220", "72"]),
    ("block5_conv3: synthetic pictures, mean activation over the map 2291–3908; the strongest single unit on any "
     "photo 632", ["2291–3908", "632"]),
    ("pixels: objective 1059.0 at the last step; the image itself: activation 399.3", ["1059.0", "399.3"]),
    ("fourier: objective 209.8 at the last step; the image itself: activation 220.9", ["209.8", "220.9"]),
    ("over the 64 filters of block1_conv1", ["64"]),
    ("pixels (naive) 1.000", ["1.000"]),
    ("fourier (default) 0.623", ["0.623"]),
    ("fourier without its transformations 0.946", ["0.946"]),
    ("best one-colour answer 0.696", ["0.696"]),
    ("wiring wrong: RGB for BGR 0.862, kernel flipped 0.485", ["0.862", "0.485"]),
    ("trained 4555 (3622–4964) 0.01 (0.01–0.02) 0.43 (0.42–0.45) 1.00 (1.00–1.00)", ["4555", "0.01", "0.43"]),
    ("block 5 random 64 (62–92) 0.03 (0.02–0.03) 0.41 (0.37–0.41) 0.91 (0.89–0.91)", ["64", "0.91"]),
    ("blocks 4–5 random 44 (25–58) 0.04 (0.04–0.04) 0.35 (0.33–0.40) 0.70 (0.68–0.73)",
     ["44", "0.04", "0.35", "0.70"]),
    ("all random 21 (18–36) 0.04 (0.04–0.05) 0.35 (0.35–0.37) 0.72 (0.72–0.76)", ["21", "0.72"]),
    ("trained, other filter 4583 (3597–4922) 0.01 (0.01–0.02) 0.43 (0.42–0.45) 1.00 (1.00–1.00)", ["4583", "1.00"]),
    ("343: single picture 230; facets [151 244 214 214], the lowest 66% of the single picture; Gram cosine between "
     "facets 0.36, between ordinary pictures 0.99", ["66%", "0.36", "0.99"]),
    ("43: single picture 217; facets [188 206 185 174], the lowest 80% of the single picture; Gram cosine between "
     "facets 0.42, between ordinary pictures 0.99", ["80%", "0.42", "0.99"]),
    ("343: the centre unit's 92-px field covers 17% of the picture and holds 64% of the neuron picture's structure "
     "(the whole-map picture: 19%)", ["92", "17%", "64%", "19%"]),
    ("43: the centre unit's 92-px field covers 17% of the picture and holds 64% of the neuron picture's structure "
     "(the whole-map picture: 18%)", ["64%", "18%"]),
    ("381: the centre unit's 92-px field covers 17% of the picture and holds 65% of the neuron picture's structure "
     "(the whole-map picture: 18%)", ["65%", "18%"]),
    ("block4_conv3 · 343: fires at 78% of the units, the strongest 5.1× the median firing one", ["5.1"]),
    ("block5_conv3 · 441: fires at 67% of the units, the strongest 9.6× the median firing one", ["9.6"]),
    ("block4_conv3 · 343: mean pre-activation 213 on its picture, -110 on its negative, 10 on flat grey", ["10"]),
    ("block4_conv3 · 43: mean pre-activation 219 on its picture, -96 on its negative, 4 on flat grey",
     ["219", "96", "4"]),
    ("block4_conv3 · 381: mean pre-activation 146 on its picture, -185 on its negative, 9 on flat grey",
     ["146", "185"]),
    ("of filter 343 213 209 174 8 -36", ["213", "174", "36"]),
    ("of filter 355 -75 -52 35 153 164", ["75", "35", "164"]),
    ("all of block3_conv3: objective 68.9 on the photo, 1252.0 on its dream; a pixel value changed by 15 of 255",
     ["68.9", "1252.0", "15 of 255"]),
    ("all of block4_conv3: objective 7.8 on the photo, 205.1 on its dream", ["7.8", "205.1"]),
]
# Numbers that look like results (two or three decimals, or a percentage) but are constants of the code or of the
# text's own examples, not printed by the run.
NOT_FROM_THE_RUN = {
    "0.25": "the fine-grain threshold in cycles per pixel (fine_grain_share)",
    "0.02": "photos' fine grain, from the notebook's section 5f",
    "0.05": "photos' fine grain, from the notebook's section 5f",
    "2%": "the firing threshold of `living` (threshold=0.02)",
    "80%": "what DIVERSITY_WEIGHT = 0.8 means",
    "0.75": "a weight w of the blend's row (section 9b), a setting",
    "90%": "what quantile 0.9 means",
}
# Shapes of number that the text never writes except from the run or `NOT_FROM_THE_RUN`: two or three decimals, or
# a percentage. Integers and one-decimal numbers are not searched (layer sizes, pixels and constants look alike);
# those the text takes from the run are listed in FROM_THE_RUN, so that a changed one goes missing from the text.
RESULT_LIKE = re.compile(r"(?<![\w.])\d+(?:\.\d{2,3}(?!\d|\.\d)|(?:\.\d+)?%)")

MARKER = re.compile(r"^<!--\s*notebook:\s*(?P<name>\S+?)\s*-->[ \t]*$", re.MULTILINE)
MARKED_BLOCK = re.compile(
    r"^<!--\s*notebook:\s*(?P<name>\S+?)\s*-->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL)
FENCED_BLOCK = re.compile(r"^```(?P<language>[^\n`]*)\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXAMPLE_CODE = re.compile(r"^<!--\s*worked-example\s*-->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
                          re.MULTILINE | re.DOTALL)
EXAMPLE_OUTPUT = re.compile(
    r"^<!--\s*worked-example-output\s*-->[ \t]*\n```[a-z]*[ \t]*\n(?P<output>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL)
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"'](?P<target>[^\"']+)[\"']", re.IGNORECASE)
FILE_LINK = re.compile(r"(?<!!)\[[^\]]+\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(?P<level>#{1,6}) +(?P<text>.+?) *#* *$", re.MULTILINE)
PLACEHOLDER = re.compile(r"\{\{\s*run:(?P<what>[^{}]*)\}\}")
EXTERNAL = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def explainer_text():
    return EXPLAINER.read_text(encoding="utf-8")


def prose_only(text):
    """The text without its fenced code blocks, so that code is never read as a link or a heading."""
    return re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)


class Definition(NamedTuple):
    cell: int
    source: str  # from the first decorator to the end of the last line, a trailing comment included


@functools.lru_cache(maxsize=2)
def _notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_source(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def notebook_definitions():
    """NAME -> list of Definition for every top-level def, class and constant of the `definitions` cells;
    a decorated definition's source starts at its first decorator."""
    return _definitions_of(NOTEBOOK)


@functools.lru_cache(maxsize=2)
def _definitions_of(path):
    found = {}
    for number, cell in enumerate(_notebook(path)["cells"]):
        if cell["cell_type"] != "code" or "definitions" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell_source(cell)
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            else:
                continue
            first_line = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            lines = source.splitlines()[first_line - 1:node.end_lineno]
            for name in names:
                found.setdefault(name, []).append(Definition(number, "\n".join(lines)))
    return found


def notebook_headings():
    """The text of every Markdown heading of the notebook, in order."""
    headings = []
    for cell in _notebook(NOTEBOOK)["cells"]:
        if cell["cell_type"] == "markdown":
            headings += [m["text"] for m in HEADING.finditer(prose_only(cell_source(cell)))]
    return headings


def normalise(code):
    return "\n".join(line.rstrip() for line in code.strip("\n").splitlines())


def flush_left(lines):
    """The lines without the indentation they all share; blank lines become empty."""
    return textwrap.dedent("\n".join(line.rstrip() for line in lines)).splitlines()


def excerpt_start(quoted, source):
    """Index of the line of `source` where `quoted` begins as a contiguous excerpt (indentation shared by all its
    lines may be left out), or None."""
    block = flush_left(normalise(quoted).splitlines())
    lines = source.splitlines()
    if not any(line.strip() for line in block):
        return None
    for start in range(len(lines) - len(block) + 1):
        if flush_left(lines[start:start + len(block)]) == block:
            return start
    return None


def nearest_window(quoted, source):
    """The run of `source`'s lines, as long as `quoted`, that is most like it (for the failure message)."""
    block = flush_left(normalise(quoted).splitlines())
    lines = source.splitlines()
    windows = [flush_left(lines[start:start + len(block)]) for start in range(max(1, len(lines) - len(block) + 1))]
    return max(windows, key=lambda window: difflib.SequenceMatcher(None, window, block).ratio())


def short_diff(expected, actual, limit=40, labels=("notebook", "explainer")):
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), *labels, lineterm="", n=1))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    return "\n".join(diff)


def github_anchor(heading):
    """The id GitHub gives a heading: inline code marks and punctuation dropped, lower case, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link's text only
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def github_anchors(headings):
    """The ids GitHub gives a page's headings, in order: a repeated id gets -1, -2, ... appended."""
    seen, anchors = {}, []
    for heading in headings:
        anchor = github_anchor(heading)
        anchors.append(anchor if anchor not in seen else f"{anchor}-{seen[anchor]}")
        seen[anchor] = seen.get(anchor, 0) + 1
    return anchors


def explainer_headings(text=None):
    return [m["text"] for m in HEADING.finditer(prose_only(explainer_text() if text is None else text))]


def marked_blocks():
    return [(m["name"], m["code"]) for m in MARKED_BLOCK.finditer(explainer_text())]


def block_ids():
    seen, ids = {}, []
    for name, _ in marked_blocks():
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return ids


def sections(text, level=2):
    """(heading, body) of every section of the given level."""
    found = list(re.finditer(rf"^{'#' * level} +(.+?) *$", prose_only(text), re.MULTILINE))
    prose = prose_only(text)
    return [(m[1], prose[m.end():found[i + 1].start() if i + 1 < len(found) else len(prose)])
            for i, m in enumerate(found)]


def test_the_explainer_quotes_the_notebooks_key_lines():
    names = [name for name, _ in marked_blocks()]
    assert len(names) >= MINIMUM_MARKERS, (
        f"only {len(names)} `<!-- notebook: NAME -->` blocks found in {EXPLAINER.name}; expected at least "
        f"{MINIMUM_MARKERS}. Is the marker convention still `<!-- notebook: NAME -->` followed by ```python?")
    missing = sorted(REQUIRED_QUOTES - set(names))
    assert not missing, f"the explainer no longer quotes {missing}"


def test_every_marker_is_followed_by_a_python_block():
    text = explainer_text()
    with_block = {m.start() for m in MARKED_BLOCK.finditer(text)}
    orphans = [m["name"] for m in MARKER.finditer(text) if m.start() not in with_block]
    assert not orphans, (f"marker(s) {orphans} are not immediately followed by a ```python block "
                         "(the fence must be on the line right after the marker)")


@pytest.mark.parametrize("name, quoted", marked_blocks(), ids=block_ids())
def test_quoted_code_is_an_excerpt_of_the_notebooks_current_source(name, quoted):
    definitions = notebook_definitions()
    if name not in definitions:
        close = difflib.get_close_matches(name, definitions, n=3)
        pytest.fail(f"{EXPLAINER.name} quotes `{name}`, but no `definitions` cell of {NOTEBOOK.name} defines it "
                    f"at top level any more (renamed or removed?).{f' Close names: {close}.' if close else ''}")
    cell, current = definitions[name][-1]  # the last definition is the one in effect
    if excerpt_start(quoted, current) is None:
        nearest = "\n".join(nearest_window(quoted, current))
        flush = "\n".join(flush_left(normalise(quoted).splitlines()))
        pytest.fail(f"the explainer's excerpt of `{name}` is no longer a run of consecutive lines of the "
                    f"notebook's (cell {cell}). The nearest lines of the current source, against the quote:\n"
                    f"{short_diff(nearest, flush)}")


def test_no_code_block_is_longer_than_15_lines():
    text = explainer_text()
    long_blocks = []
    for match in FENCED_BLOCK.finditer(text):
        count = len(match["code"].rstrip("\n").splitlines())
        if count > MAXIMUM_BLOCK_LINES:
            line = text[:match.start()].count("\n") + 1
            long_blocks.append(f"line {line} ({match['language'] or 'text'}): {count} lines")
    assert not long_blocks, (f"code blocks longer than {MAXIMUM_BLOCK_LINES} lines (quote the lines that carry the "
                             f"idea): {long_blocks}")


def test_unmarked_code_blocks_do_not_copy_notebook_code():
    """A copy of notebook code without its marker would go stale unnoticed."""
    definitions = notebook_definitions()
    text = explainer_text()
    quoted_spans = [(m.start("code"), m.end("code")) for m in MARKED_BLOCK.finditer(text)]
    example = EXAMPLE_CODE.search(text)
    if example:
        quoted_spans.append((example.start("code"), example.end("code")))
    stale = []
    for match in FENCED_BLOCK.finditer(text):
        if match["language"].strip() != "python" or (match.start("code"), match.end("code")) in quoted_spans:
            continue
        code = match["code"]
        with contextlib.suppress(SyntaxError):
            stale += [node.name for node in ast.parse(textwrap.dedent(code)).body
                      if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and node.name in definitions]
        if len([line for line in code.splitlines() if line.strip()]) >= 2:
            stale += [name for name, found in definitions.items() if excerpt_start(code, found[-1].source) is not None]
    assert not stale, f"unmarked python blocks copy notebook code of {sorted(set(stale))}: mark them"


def test_the_worked_example_prints_the_numbers_the_text_shows():
    text = explainer_text()
    code, output = EXAMPLE_CODE.search(text), EXAMPLE_OUTPUT.search(text)
    assert code and output, ("the explainer needs a ```python block marked `<!-- worked-example -->` and a "
                             "block marked `<!-- worked-example-output -->` with what it prints")
    assert code.start() < output.start(), "the worked example's output block comes before its code"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code["code"], "worked-example", "exec"), {"__name__": "worked_example"})
    assert normalise(printed.getvalue()) == normalise(output["output"]), (
        "the worked example's output block is not what its code prints:\n"
        + short_diff(normalise(printed.getvalue()), normalise(output["output"]), labels=("printed", "explainer")))


def test_every_image_and_file_the_text_links_to_exists():
    prose = prose_only(explainer_text())
    targets = [m["target"] for m in IMAGE_LINK.finditer(prose)] + [m["target"] for m in HTML_IMAGE.finditer(prose)]
    images = [t for t in targets if not EXTERNAL.match(t)]
    assert images, "the explainer shows no image from the repository"
    files = [t for t in (m["target"] for m in FILE_LINK.finditer(prose)) if not EXTERNAL.match(t) and t[0] != "#"]
    missing = [t for t in images + files if not (EXPLAINER.parent / t.split("#")[0].split("?")[0]).exists()]
    assert not missing, f"the explainer links to files that do not exist: {missing}"


def test_every_heading_the_text_links_to_exists():
    """Links to a heading of the text itself (#...) or of the notebook (notebook.ipynb#...), by GitHub's ids."""
    prose = prose_only(explainer_text())
    anchors = {"": set(github_anchors(explainer_headings())), NOTEBOOK.name: set(github_anchors(notebook_headings()))}
    broken = []
    for target in (m["target"] for m in FILE_LINK.finditer(prose)):
        path, _, fragment = target.partition("#")
        if EXTERNAL.match(target) or not fragment:
            continue
        if path not in anchors:
            pytest.fail(f"a link into {path!r} names a heading ({fragment!r}) this test cannot check; link the "
                        f"text itself or {NOTEBOOK.name}")
        if fragment not in anchors[path]:
            broken.append(target)
    assert not broken, (f"links to headings that do not exist (renamed?): {broken}. The notebook's headings give "
                        f"these ids: {sorted(anchors[NOTEBOOK.name])}")


def test_every_concept_section_links_to_the_notebook_section_it_explains():
    unlinked = [heading for heading, body in sections(explainer_text())
                if heading not in SECTIONS_WITHOUT_NOTEBOOK_LINK and f"]({NOTEBOOK.name}#" not in body]
    assert not unlinked, f"sections with no link to the notebook section they explain: {unlinked}"


def test_every_picture_says_it_was_made_with_the_hed_tuned_weights():
    """The committed pictures come from the HED-tuned VGG16 weights, not ImageNet's: each caption says so (or
    names the other network, section 11's). The diagrams drawn by code (`docs/images/diagram_*`) are no network's
    output and are left out."""
    paragraphs = re.split(r"\n\s*\n", prose_only(explainer_text()))
    unlabelled = []
    for index, paragraph in enumerate(paragraphs):
        for match in IMAGE_LINK.finditer(paragraph):
            if Path(match["target"]).name.startswith("diagram_"):
                continue
            caption = paragraph + "\n" + (paragraphs[index + 1] if index + 1 < len(paragraphs) else "")
            if "HED" not in caption and "the fer package's face-expression network" not in " ".join(caption.split()):
                unlabelled.append(match["target"])
    assert not unlabelled, f"pictures whose caption (same or next paragraph) does not mention the HED weights: " \
                           f"{unlabelled}"


def references_section(text):
    heading = re.search(r"^#{1,3} .*(Further reading|References).*$", text, re.MULTILINE | re.IGNORECASE)
    assert heading, "no 'Further reading' or 'References' heading in the explainer"
    level = len(heading.group(0)) - len(heading.group(0).lstrip("#"))
    rest = text[heading.end():]
    following = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    end = heading.end() + (following.start() if following else len(rest))
    return heading.start(), end


def test_the_references_section_lists_the_references():
    text = explainer_text()
    start, end = references_section(text)
    section = " ".join(text[start:end].split())
    missing = [f"{what} (needs {[s for s in needed if s not in section]})"
               for what, needed in REFERENCES if not all(s in section for s in needed)]
    assert not missing, f"the references section lacks: {missing}"
    elsewhere = text[:start] + text[end:]
    uncited = [what for what, needle in CITED_IN_THE_TEXT if needle not in elsewhere]
    assert not uncited, f"listed but never cited in the text: {uncited}"


def test_run_placeholders_are_well_formed():
    """`{{run: what, and which cell prints it}}`, nothing else between double braces."""
    text = explainer_text()
    opened = text.count("{{")
    proper = list(PLACEHOLDER.finditer(text))
    assert opened == text.count("}}") == len(proper), (
        "a `{{ ... }}` that is not a `{{run: ...}}` placeholder, or one that is not closed")
    empty = [m.group(0) for m in proper if len(m["what"].split()) < 3]
    assert not empty, f"placeholders must say what number they stand for and which cell prints it: {empty}"


def test_no_run_placeholders_are_left():
    """Numbers from a run are filled in from the final committed run; until then they are placeholders."""
    left = [" ".join(m["what"].split()) for m in PLACEHOLDER.finditer(explainer_text())]
    assert not left, (f"{len(left)} `{{{{run: ...}}}}` placeholder(s) still wait for the committed run's numbers:\n"
                      + "\n".join(f"  - {what}" for what in left))


def committed_outputs():
    """All the text the committed notebook's code cells print (streams and plain-text results), runs of
    whitespace made one space."""
    pieces = []
    for cell in _notebook(NOTEBOOK)["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            for text in (output.get("text", ""), output.get("data", {}).get("text/plain", "")):
                pieces.append(text if isinstance(text, str) else "".join(text))
    return " ".join(" ".join(pieces).split())


def text_outside_the_references():
    """The prose (no code blocks, no HTML comments) before and after the references section."""
    text = re.sub(r"<!--.*?-->", "", explainer_text(), flags=re.DOTALL)
    start, end = references_section(text)
    return prose_only(text[:start] + text[end:])


def quoted(number, text):
    return re.search(rf"(?<![\w.]){re.escape(number)}(?![\w]|\.\d)", text) is not None


def test_numbers_quoted_from_the_run_are_what_it_prints():
    outputs = committed_outputs()
    assert len(outputs) > 1000, f"{NOTEBOOK.name} holds almost no outputs: is it committed with a full run's outputs?"
    assert len(FROM_THE_RUN) >= 20, "FROM_THE_RUN lists too few numbers to check anything"
    gone = [piece for piece, _ in FROM_THE_RUN if " ".join(piece.split()) not in outputs]
    assert not gone, ("the committed run no longer prints these pieces: re-read the numbers the text takes from them "
                      "and update the text and FROM_THE_RUN together:\n" + "\n".join(f"  - {p}" for p in gone))
    strays = [(number, piece) for piece, numbers in FROM_THE_RUN for number in numbers if not quoted(number, piece)]
    assert not strays, f"FROM_THE_RUN lists numbers that are not in their own piece of output: {strays}"


def test_the_text_still_quotes_every_number_listed_from_the_run():
    text = text_outside_the_references()
    missing = sorted({number for _, numbers in FROM_THE_RUN for number in numbers if not quoted(number, text)})
    assert not missing, (f"numbers listed in FROM_THE_RUN that the text no longer writes (changed, or dropped without "
                         f"updating the table): {missing}")


def test_every_result_like_number_in_the_text_comes_from_the_run_or_is_a_constant():
    listed = {number for _, numbers in FROM_THE_RUN for number in numbers} | set(NOT_FROM_THE_RUN)
    found = [m.group(0) for m in RESULT_LIKE.finditer(text_outside_the_references())]
    assert len(found) >= 20, f"only {len(found)} result-like numbers found: is RESULT_LIKE still right?"
    unlisted = sorted(set(found) - listed)
    assert not unlisted, (f"numbers in the text with no source: {unlisted}. A number from the run goes into "
                          "FROM_THE_RUN with the output it comes from; a constant into NOT_FROM_THE_RUN.")
