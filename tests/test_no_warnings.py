"""Loading the notebook's definitions and running a small ascent warns about nothing of ours: no Python
warning raised from (or because of) our code, and no TensorFlow log message such as AutoGraph's "could not
transform" or Keras' "The structure of `inputs` doesn't match"."""

import logging
import warnings

import numpy as np
from notebook_definitions import load_definitions

THIRD_PARTY_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)


def test_definitions_and_a_small_ascent_warn_about_nothing(weights, caplog):
    tensorflow_logger = logging.getLogger("tensorflow")  # TensorFlow's own logger need not reach the root
    tensorflow_logger.addHandler(caplog.handler)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.INFO):
        warnings.simplefilter("always")
        nb = load_definitions(register_source=False)  # as a reader's exec of the cells
        model = nb.load_vgg16(weights, precision="auto")
        for method, objective in [("fourier", "filter"), ("pixels", "neuron"), ("maco", "filter")]:
            pictures = nb.visualize_filters(model, "block2_conv1", [0, 3], image_size=48, steps=2, method=method,
                                            objective=objective, progress=False)
            nb.measure_activation(model, "block2_conv1", [0, 3], pictures, under="unseen")
        extractor = nb.feature_extractor(model, "block1_conv2")
        nb.visualize_filter_naively(extractor, 0, 32, steps=2)
        nb.measure_photos(model, [np.full((40, 40, 3), 128, np.uint8)])
    tensorflow_logger.removeHandler(caplog.handler)
    ours = [w for w in caught if not (issubclass(w.category, THIRD_PARTY_DEPRECATIONS)
                                      and "Visualizing_Filters_of_a_CNN" not in str(w.filename))]
    assert not ours, [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in ours]
    logged = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert not logged, logged
