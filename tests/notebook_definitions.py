"""Load the notebook's `definitions` cells (imports, constants, functions) as a module, without running
the heavy cells. Used by the tests and by the benchmark."""

import linecache
import types
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parent.parent / "Visualizing_Filters_of_a_CNN.ipynb"


def load_definitions(path=NOTEBOOK, register_source=True):
    """Execute the cells tagged `definitions` into a fresh module and return it. `register_source=False` execs
    them exactly as a reader's `exec` would, without telling Python where their source lines are."""
    notebook = nbformat.read(path, as_version=4)
    module = types.ModuleType("notebook_definitions")
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and "definitions" in cell.metadata.get("tags", []):
            filename = f"{Path(path).name}:cell{number}"
            if register_source:  # tracebacks (and any tool that reads source) find the cell's lines
                linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True), filename)
            exec(compile(cell.source, filename, "exec"), module.__dict__)
    return module
