"""Fixtures: the notebook's `definitions` cells loaded as a module, and VGG16 with the test weights."""

import os
import types
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "Visualizing_Filters_of_a_CNN.ipynb"


def load_definitions(path=NOTEBOOK):
    """Execute the cells tagged `definitions` into a fresh module and return it."""
    notebook = nbformat.read(path, as_version=4)
    module = types.ModuleType("notebook_definitions")
    for cell in notebook.cells:
        if cell.cell_type == "code" and "definitions" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{path.name}:definitions", "exec"), module.__dict__)
    return module


@pytest.fixture(scope="session")
def nb():
    return load_definitions()


@pytest.fixture(scope="session")
def weights():
    return os.environ.get("VGG16_WEIGHTS", "imagenet")


@pytest.fixture(scope="session")
def vgg16(nb, weights):
    """Full precision, so that batched and one-at-a-time results can be compared closely."""
    return nb.load_vgg16(weights, precision="float32")


@pytest.fixture(scope="session")
def vgg16_fast(nb, weights):
    """The precision the notebook picks by default on this machine."""
    return nb.load_vgg16(weights, precision="auto")
