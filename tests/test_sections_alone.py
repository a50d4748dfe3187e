"""Each of sections 6-12 runs on its own after the set-up sections 1-3, in a fresh kernel, in smoke mode.

A section may stand only on the set-up (sections 1, 2 and 3: everything before the "## 4." heading), on the
cells tagged `definitions` anywhere before it, and on what its own earlier cells make; never on a variable
that an untagged cell of another section happens to leave behind. For each section N the test builds a
notebook of exactly those cells (the set-up, the earlier `definitions` cells, then section N from its
"## N." heading to the next "## " heading), runs it with nbclient in a fresh "python3" kernel of the current
environment (SMOKE_TEST=1, the working directory a temporary folder, so the saved pictures go there), and
fails with the cell and its error if any cell raises.

Environment:
    SECTIONS_ALONE_NOTEBOOK  the notebook to take the sections from (default: the committed
                             Visualizing_Filters_of_a_CNN.ipynb); set only to check that the test fails on a
                             notebook with a planted cross-section dependency.
"""

import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from notebook_definitions import NOTEBOOK

NOTEBOOK_PATH = Path(os.environ.get("SECTIONS_ALONE_NOTEBOOK", NOTEBOOK))
SET_UP_END = 4  # the set-up is everything before the "## 4." heading
SECTIONS_ALONE = [6, 7, 8, 9, 10, 11, 12]
CELL_TIMEOUT = 300  # seconds per cell; smoke-mode cells take a few seconds, VGG16's loading 10-20 s
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def heading_number(cell):
    """N for a markdown cell that starts with "## N.", None for a lower heading or any other cell."""
    if cell.cell_type != "markdown":
        return None
    match = re.match(r"## (\d+)\.", cell.source)
    return int(match.group(1)) if match else None


def section_starts(notebook):
    """{N: index of the "## N." heading}, checked to be 1..12, once each and in order."""
    starts = {}
    for index, cell in enumerate(notebook.cells):
        number = heading_number(cell)
        if number is not None:
            assert number not in starts, f'two "## {number}." headings (cells {starts[number]} and {index})'
            starts[number] = index
    assert list(starts) == list(range(1, 13)), f"section headings found, in order: {list(starts)}"
    return starts


def section_alone(notebook, section):
    """The notebook of the set-up, every `definitions` cell before `section`, then `section` itself; each
    cell remembers its index in the full notebook as metadata `source_cell`."""
    starts = section_starts(notebook)
    end = min((i for i, cell in enumerate(notebook.cells) if i > starts[section] and cell.cell_type == "markdown"
               and cell.source.startswith("## ")), default=len(notebook.cells))
    chosen = list(range(starts[SET_UP_END]))
    chosen += [i for i in range(starts[SET_UP_END], starts[section]) if notebook.cells[i].cell_type == "code"
               and "definitions" in notebook.cells[i].metadata.get("tags", [])]
    chosen += list(range(starts[section], end))
    cells = []
    for index in chosen:
        cell = nbformat.from_dict(dict(notebook.cells[index]))
        cell.metadata = {**cell.metadata, "source_cell": index}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)


def failed_cell(notebook):
    """The first executed cell with an error output, and that output."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return cell, output
    return None, None


@pytest.mark.sections
@pytest.mark.parametrize("section", SECTIONS_ALONE, ids=[f"section{n}" for n in SECTIONS_ALONE])
def test_section_runs_alone_after_the_set_up(section, tmp_path, record_property):
    notebook = section_alone(nbformat.read(NOTEBOOK_PATH, as_version=4), section)
    environment = {**os.environ, "SMOKE_TEST": "1"}
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    failure = None
    try:
        client.execute(env=environment, cwd=str(tmp_path))
    except CellExecutionError:
        cell, output = failed_cell(notebook)
        if cell is None:
            raise
        first_line = cell.source.splitlines()[0] if cell.source else ""
        traceback = ANSI.sub("", "\n".join(output.get("traceback", [])))
        failure = (f"section {section} alone: cell {cell.metadata['source_cell']} of {NOTEBOOK_PATH.name} "
                   f"({first_line!r}) raised {output.ename}: {output.evalue}\n{traceback}")
    seconds = time.perf_counter() - start
    record_property("seconds", round(seconds, 1))
    print(f"section {section} alone: {seconds:.1f} s")
    if failure:  # outside the except block, so that nbclient's long coloured copy of the traceback is not chained
        pytest.fail(failure, pytrace=False)
