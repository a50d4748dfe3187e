"""Fixtures: the notebook's `definitions` cells loaded as a module, and VGG16 with the test weights."""

import os

import pytest
from notebook_definitions import load_definitions


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


@pytest.fixture
def fresh(nb):
    """`visualize_filters` memoises every picture in `nb.MADE`: empty it, so that pictures are really made."""
    nb.MADE.clear()
    return nb
