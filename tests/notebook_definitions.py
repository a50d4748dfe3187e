"""Load the notebook's `definitions` cells (imports, constants, functions) as a module, without running
the heavy cells. Used by the tests and by the benchmark."""

import types
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).resolve().parent.parent / "Visualizing_Filters_of_a_CNN.ipynb"


def load_definitions(path=NOTEBOOK):
    """Execute the cells tagged `definitions` into a fresh module and return it."""
    notebook = nbformat.read(path, as_version=4)
    module = types.ModuleType("notebook_definitions")
    for cell in notebook.cells:
        if cell.cell_type == "code" and "definitions" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{Path(path).name}:definitions", "exec"), module.__dict__)
    return module
