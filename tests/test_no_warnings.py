"""Loading the notebook's definitions and running a small ascent warns about nothing of ours: no Python
warning raised from (or because of) our code, and no TensorFlow log message such as AutoGraph's "could not
transform" or Keras' "The structure of `inputs` doesn't match".

The check runs in a fresh Python process, as a reader's fresh kernel would: TensorFlow counts the tracings of
each function body (`render`'s step, whichever module it was compiled into) over the whole process, so the
tiny ascents of the other tests run before this one would otherwise add up to its "triggered tf.function
retracing" warning."""

import json
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SMALL_ASCENT = """
import json, logging, sys, warnings
sys.path.insert(0, sys.argv[2])  # the tests folder
import numpy as np
from notebook_definitions import load_definitions

THIRD_PARTY_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)
records = []


class Keep(logging.Handler):
    def emit(self, record):  # matplotlib's own logs (its style files' pyparsing deprecations) are not ours
        if record not in records and not record.name.startswith("matplotlib"):
            records.append(record)


keep = Keep(logging.WARNING)
for logger in (logging.getLogger(), logging.getLogger("tensorflow")):  # TensorFlow's logger need not reach the root
    logger.addHandler(keep)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nb = load_definitions(register_source=False)  # as a reader's exec of the cells
    model = nb.load_vgg16(sys.argv[1], precision="auto")
    neuron = nb.neuron_objective("block2_conv1")
    for method, objective in [("fourier", None), ("pixels", neuron), ("maco", None)]:
        pictures = nb.visualize_filters(model, "block2_conv1", [0, 3], image_size=48, steps=2, seed=0,
                                        method=method, objective=objective, progress=False)
        nb.measure_activation(model, "block2_conv1", [0, 3], pictures, under="unseen")
    nb.visualize_filter_naively(model, "block1_conv2", 0, 32, steps=2, learning_rate=5.0, seed=0)
    nb.measure_photos(model, [np.full((40, 40, 3), 128, np.uint8)])
ours = [w for w in caught if not (issubclass(w.category, THIRD_PARTY_DEPRECATIONS)
                                  and "Visualizing_Filters_of_a_CNN" not in str(w.filename))]
print(json.dumps({"warnings": [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in ours],
                  "logged": [record.getMessage() for record in records]}))
"""


def test_definitions_and_a_small_ascent_warn_about_nothing(weights):
    run = subprocess.run([sys.executable, "-c", SMALL_ASCENT, weights, str(TESTS)], capture_output=True, text=True,
                         cwd=TESTS.parent, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert not found["warnings"], found["warnings"]
    assert not found["logged"], found["logged"]
