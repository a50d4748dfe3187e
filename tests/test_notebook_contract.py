"""The committed notebook as a reader meets it: small enough for GitHub to show, clean outputs, machinery
folded away and the method's ideas in view, the first picture early. Reads the notebook's JSON only."""

import json
import re
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "Visualizing_Filters_of_a_CNN.ipynb"
LOG_LINE = re.compile(r"^[IWEF]\d{4} |oneDNN|cuInit|cuda_|absl::|AutoGraph|cpu_feature_guard|TF-TRT|XLA service",
                      re.MULTILINE)
# The ideas of the method stay visible; the machinery is folded.
VISIBLE = ["feature_extractor", "mean_activation", "gradient_ascent_step", "visualize_filter_naively",
           "filter_objective", "FourierImage", "random_transform", "RisingLearningRate", "ascend", "METHODS",
           "visualize_filters", "receptive_box", "kernel_optimum", "sign_agreement", "randomized_copy",
           "visualize_facets"]
FOLDED = ["load_vgg16", "check_filter_indices", "check_visualize_arguments", "postprocess", "plot_pictures",
          "measure_activation", "make_optimizer", "climb_ladder", "plot_ladder", "save_gif", "build_explorer",
          "export_atlas", "measure_photos", "top_activating_patches", "record_ascent", "randomisation_table",
          "plot_facets"]


def notebook():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def code_cells():
    return [cell for cell in notebook()["cells"] if cell["cell_type"] == "code"]


def is_folded(cell):
    return cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)


def defines(cell, name):
    return re.search(rf"^(def|class) {name}\b|^{name} = ", source(cell), re.MULTILINE) is not None


def outputs():
    return [(number, output) for number, cell in enumerate(code_cells()) for output in cell.get("outputs", [])]


def text_of(output):
    if output["output_type"] == "stream":
        return "".join(output["text"])
    return "".join(output.get("data", {}).get("text/plain", "")) if output["output_type"] != "error" else ""


def test_the_committed_notebook_is_small_enough_for_github_to_show():
    assert NOTEBOOK.stat().st_size < 3_000_000, f"{NOTEBOOK.stat().st_size / 1e6:.1f} MB"


def test_every_code_cell_ran_without_error_and_figures_are_jpeg():
    cells = code_cells()
    assert all(cell["execution_count"] is not None for cell in cells if source(cell).strip())
    assert not [n for n, output in outputs() if output["output_type"] == "error"]
    kinds = {kind for _, output in outputs() for kind in output.get("data", {}) if kind.startswith("image/")}
    assert kinds <= {"image/jpeg", "image/gif"} and "image/jpeg" in kinds


def test_no_tensorflow_log_lines_and_no_progress_bar_litter():
    logs = [(n, LOG_LINE.search(text_of(o)).group()) for n, o in outputs() if LOG_LINE.search(text_of(o))]
    assert not logs, logs
    stderr = [n for n, output in outputs() if output["output_type"] == "stream" and output["name"] == "stderr"]
    assert len(stderr) <= 3, stderr
    assert not [n for n, o in outputs() if o["output_type"] == "stream" and "\r" in text_of(o)]


def test_streams_are_coalesced_so_that_saving_in_jupyterlab_changes_nothing():
    for number, cell in enumerate(code_cells()):
        kinds = [(o["output_type"], o.get("name")) for o in cell.get("outputs", [])]
        repeated = [a for a, b in zip(kinds, kinds[1:], strict=False) if a == b and a[0] == "stream"]
        assert not repeated, (number, source(cell)[:60])


def test_folded_cells_carry_a_title_and_the_metadata_that_folds_them():
    for cell in code_cells():
        titled = source(cell).startswith("# @title ")
        assert titled == is_folded(cell), source(cell)[:80]
        if titled:
            assert cell["metadata"].get("cellView") == "form"


@pytest.mark.parametrize("name", VISIBLE)
def test_the_method_s_ideas_are_in_visible_cells(name):
    assert [cell for cell in code_cells() if defines(cell, name) and not is_folded(cell)], name


@pytest.mark.parametrize("name", FOLDED)
def test_machinery_is_folded(name):
    assert [cell for cell in code_cells() if defines(cell, name) and is_folded(cell)], name


def visible_lines(cell):
    return 0 if is_folded(cell) else sum(1 for line in source(cell).splitlines() if line.strip())


def test_visible_code_is_short_and_the_first_picture_comes_early():
    cells = code_cells()
    assert sum(visible_lines(cell) for cell in cells) <= 450
    first_picture = next(n for n, cell in enumerate(cells)
                         if any(k.startswith("image/") for o in cell.get("outputs", []) for k in o.get("data", {})))
    assert sum(visible_lines(cell) for cell in cells[:first_picture + 1]) <= 110


def test_no_filter_is_chosen_by_a_hard_coded_index():
    parameters = next(cell for cell in code_cells() if "parameters" in cell["metadata"].get("tags", []))
    assert not re.search(r"FILTERS\s*=\s*[\[{]|(?<!PER)_FILTER\s*=\s*\d", source(parameters)), source(parameters)
