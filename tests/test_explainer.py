"""The companion text stays true to the notebook.

* Every code block marked `<!-- notebook: NAME -->` in `CNN_Filter_Visualization_Concepts_Explained.md` is
  exactly the current source of NAME, a top-level function, class or constant of a `definitions` cell.
* The worked example's printed numbers are what its code prints.
* Every image, file and heading the text links to exists; every picture's caption names the HED-tuned
  weights; the references are there.

Only the standard library and the notebook's JSON are read: no TensorFlow, so this runs in well under a second.
After the notebook's functions change, `python tests/test_explainer.py --resync` copies their current source
into the marked blocks and lists them, so that the prose around them can be reread.
"""

import ast
import contextlib
import difflib
import functools
import io
import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPLAINER = ROOT / "CNN_Filter_Visualization_Concepts_Explained.md"
NOTEBOOK = ROOT / "Visualizing_Filters_of_a_CNN.ipynb"

# Functions the walkthrough must quote (issue 5); the markers may quote more.
REQUIRED_QUOTES = {"receptive_fields", "feature_extractor", "to_model_input", "filter_objective", "FourierImage",
                   "decorrelated_to_rgb", "random_transform", "ascend", "visualize_filters", "postprocess"}
MINIMUM_MARKERS = 8

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
]

MARKER = re.compile(r"^<!--\s*notebook:\s*(?P<name>\S+?)\s*-->[ \t]*$", re.MULTILINE)
MARKED_BLOCK = re.compile(
    r"^<!--\s*notebook:\s*(?P<name>\S+?)\s*-->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL)
PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXAMPLE_CODE = re.compile(r"^<!--\s*worked-example\s*-->[ \t]*\n```python[ \t]*\n(?P<code>.*?)^```[ \t]*$",
                          re.MULTILINE | re.DOTALL)
EXAMPLE_OUTPUT = re.compile(
    r"^<!--\s*worked-example-output\s*-->[ \t]*\n```[a-z]*[ \t]*\n(?P<output>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL)
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=[\"'](?P<target>[^\"']+)[\"']", re.IGNORECASE)
FILE_LINK = re.compile(r"(?<!!)\[[^\]]+\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def explainer_text():
    return EXPLAINER.read_text(encoding="utf-8")


def prose_only(text):
    """The text without its fenced code blocks, so that code is never read as a link."""
    return re.sub(r"^```.*?^```[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)


class Definition(NamedTuple):
    cell: int
    source: str  # from the first decorator to the end of the last line, a trailing comment included
    segment: str  # the same without that trailing comment: what ast.get_source_segment gives (+ decorators)


def notebook_definitions():
    """NAME -> list of Definition for every top-level def, class and constant of the `definitions` cells;
    a decorated definition's source starts at its first decorator."""
    return _definitions_of(NOTEBOOK)


@functools.lru_cache(maxsize=2)
def _definitions_of(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or "definitions" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
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
            segment = "\n".join(lines[:-1] + [lines[-1][:node.end_col_offset]])
            # ast.get_source_segment(source, node), with the decorators in front
            assert first_line < node.lineno or segment == ast.get_source_segment(source, node)
            # ... and with a comment that ends the last line (get_source_segment stops before it)
            rest = lines[-1][node.end_col_offset:].strip()
            full = segment + lines[-1][node.end_col_offset:] if rest.startswith("#") else segment
            for name in names:
                found.setdefault(name, []).append(Definition(number, full, segment))
    return found


def normalise(code):
    return "\n".join(line.rstrip() for line in code.strip("\n").splitlines())


def short_diff(expected, actual, limit=40, labels=("notebook", "explainer")):
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(), *labels, lineterm="", n=1))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    return "\n".join(diff)


def github_anchor(heading):
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def marked_blocks():
    return [(m["name"], m["code"]) for m in MARKED_BLOCK.finditer(explainer_text())]


def block_ids():
    seen, ids = {}, []
    for name, _ in marked_blocks():
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return ids


def test_the_explainer_quotes_a_handful_of_notebook_functions():
    names = [name for name, _ in marked_blocks()]
    assert len(names) >= MINIMUM_MARKERS, (
        f"only {len(names)} `<!-- notebook: NAME -->` blocks found in {EXPLAINER.name}; expected at least "
        f"{MINIMUM_MARKERS}. Is the marker convention still `<!-- notebook: NAME -->` followed by ```python?")
    missing = sorted(REQUIRED_QUOTES - set(names))
    assert not missing, f"the code walkthrough no longer quotes {missing}"


def test_every_marker_is_followed_by_a_python_block():
    text = explainer_text()
    with_block = {m.start() for m in MARKED_BLOCK.finditer(text)}
    orphans = [m["name"] for m in MARKER.finditer(text) if m.start() not in with_block]
    assert not orphans, (f"marker(s) {orphans} are not immediately followed by a ```python block "
                         "(the fence must be on the line right after the marker)")


@pytest.mark.parametrize("name, quoted", marked_blocks(), ids=block_ids())
def test_quoted_code_is_the_notebooks_current_source(name, quoted):
    definitions = notebook_definitions()
    if name not in definitions:
        close = difflib.get_close_matches(name, definitions, n=3)
        pytest.fail(f"{EXPLAINER.name} quotes `{name}`, but no `definitions` cell of {NOTEBOOK.name} defines it "
                    f"at top level any more (renamed or removed?).{f' Close names: {close}.' if close else ''}")
    cell, current, segment = definitions[name][-1]  # the last definition is the one in effect
    if normalise(quoted) not in (normalise(current), normalise(segment)):
        pytest.fail(f"the explainer's copy of `{name}` differs from the notebook's (cell {cell}); paste the "
                    f"current source back in (python tests/test_explainer.py --resync does it):\n"
                    f"{short_diff(normalise(current), normalise(quoted))}")


def test_unmarked_code_blocks_do_not_copy_notebook_definitions():
    """A copy of a notebook function without its marker would go stale unnoticed."""
    definitions = notebook_definitions()
    marked = {normalise(code) for _, code in marked_blocks()}
    stale = []
    for match in PYTHON_BLOCK.finditer(explainer_text()):
        code = normalise(match["code"])
        if code in marked:
            continue
        try:
            body = ast.parse(code).body
        except SyntaxError:
            continue
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in definitions:
                stale.append(node.name)
    assert not stale, f"python blocks define notebook names {stale} without a `<!-- notebook: NAME -->` marker"


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
    images = [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]
    assert images, "the explainer shows no image from the repository"
    files = [m["target"] for m in FILE_LINK.finditer(prose)]
    files = [t for t in files if not re.match(r"[a-z][a-z0-9+.-]*:|#", t, re.IGNORECASE)]
    anchors = {github_anchor(m[1]) for m in re.finditer(r"^#{1,6} +(.+?) *$", prose, re.MULTILINE)}
    broken = [t for t in (m["target"] for m in FILE_LINK.finditer(prose)) if t.startswith("#") and t[1:] not in anchors]
    assert not broken, f"links to headings that do not exist (renamed?): {broken}"
    missing = []
    for target in images + files:
        path = target.split("#")[0].split("?")[0]
        if not (EXPLAINER.parent / path).exists():
            missing.append(target)
    assert not missing, f"the explainer links to files that do not exist: {missing}"


def test_every_picture_says_it_was_made_with_the_hed_tuned_weights():
    """The committed pictures come from the HED-tuned VGG16 weights, not ImageNet's: each caption says so."""
    paragraphs = re.split(r"\n\s*\n", prose_only(explainer_text()))
    unlabelled = []
    for index, paragraph in enumerate(paragraphs):
        for match in IMAGE_LINK.finditer(paragraph):
            caption = paragraph + "\n" + (paragraphs[index + 1] if index + 1 < len(paragraphs) else "")
            if "HED" not in caption:
                unlabelled.append(match["target"])
    assert not unlabelled, f"pictures whose caption (same or next paragraph) does not mention the HED weights: " \
                           f"{unlabelled}"


def test_the_references_section_lists_the_references():
    text = explainer_text()
    heading = re.search(r"^#{1,3} .*(Further reading|References).*$", text, re.MULTILINE | re.IGNORECASE)
    assert heading, "no 'Further reading' or 'References' heading in the explainer"
    level = len(heading.group(0)) - len(heading.group(0).lstrip("#"))
    rest = text[heading.end():]
    following = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    section = " ".join(rest[:following.start() if following else len(rest)].split())
    missing = [f"{what} (needs {[s for s in needed if s not in section]})"
               for what, needed in REFERENCES if not all(s in section for s in needed)]
    assert not missing, f"the references section lacks: {missing}"


def resync():
    """Rewrite every marked block of the explainer with the notebook's current source; print what changed,
    so that the prose around those blocks can be reread. Run: python tests/test_explainer.py --resync"""
    definitions = notebook_definitions()
    changed, missing = [], []

    def replace(match):
        name = match["name"]
        if name not in definitions:
            missing.append(name)
            return match.group(0)
        current = definitions[name][-1].source
        if normalise(current) == normalise(match["code"]):
            return match.group(0)
        changed.append(name)
        return match.group(0)[:match.start("code") - match.start()] + current.rstrip("\n") + "\n```"

    text = MARKED_BLOCK.sub(replace, explainer_text())
    EXPLAINER.write_text(text, encoding="utf-8")
    print(f"updated: {changed or 'nothing'}")
    if missing:
        print(f"not defined in the notebook any more (fix by hand): {missing}")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--resync"]:
        sys.exit("usage: python tests/test_explainer.py --resync   (run the checks with pytest)")
    resync()
