"""What makes an ascent step cheap here: each speed lever measured against the plain way, in one run.

For block4_conv3, 16 filters, 128 px, on this machine:

* precision: float32 against the notebook's automatic choice (`pick_precision`: bfloat16 on CPUs with Intel's
  AMX or AMD's AVX512-BF16, bfloat16/float16 on GPUs with tensor cores, float32 elsewhere);
* XLA: one forward+backward pass compiled with `jit_compile=True` against plain `tf.function`;
* steps: the cost of `visualize_filters` for 48, 24 and 96 steps (the notebook uses 48);
* working resolution: the cost of a forward+backward pass at 96, 128 and 160 px.

Medians of repeated runs; ratios are against the first line of each group. Run by hand:

    .venv/bin/python benchmarks/step_cost.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "tests")]

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from notebook_definitions import load_definitions  # noqa: E402
from peers import default_weights  # noqa: E402

LAYER, FILTERS = "block4_conv3", list(range(16))
OURS = dict(method="fourier", seed=0)  # the recipe visualize_filters is timed with (its old defaults)


def median_seconds(function, repeats=5, before=lambda: None):
    """Median seconds of `repeats` calls of `function` after one untimed call; `before()` runs, untimed, before
    every call."""
    before()
    function()  # tracing and warm-up
    times = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pass_cost(nb, model, size, jit_compile=False):
    """Median seconds of one forward+backward pass of the batch through the network up to LAYER."""
    output = f"{LAYER}:pre_relu"
    extract = nb.feature_extractor(model, output)  # RGB in [0, 1] → {output: float32 maps}, to_model_input inside
    images = tf.Variable(np.random.default_rng(0).random((len(FILTERS), size, size, 3), np.float32))
    targets = tf.constant(FILTERS)

    @tf.function(jit_compile=jit_compile)
    def forward_backward():
        with tf.GradientTape() as tape:
            scores = nb.mean_activation(extract(images)[output], targets)
        return tape.gradient(scores, images)

    return median_seconds(lambda: forward_backward().numpy())


def report(title, rows):
    print(f"\n{title}")
    baseline = rows[0][1]
    for label, seconds in rows:
        print(f"  {label:<34}{seconds:8.3f} s   {baseline / seconds:5.2f}x")


def main():
    nb = load_definitions()
    weights = default_weights()
    print("Device:", nb.describe_device(), "| automatic precision:", nb.pick_precision())
    full = nb.load_vgg16(weights, precision="float32")
    fast = nb.load_vgg16(weights, precision="auto")
    report("One forward+backward pass, 16 images of 128 px (median):", [
        ("float32", pass_cost(nb, full, 128)),
        (f"{nb.pick_precision()} (automatic)", pass_cost(nb, fast, 128)),
        ("float32 + XLA", pass_cost(nb, full, 128, jit_compile=True)),
        (f"{nb.pick_precision()} + XLA", pass_cost(nb, fast, 128, jit_compile=True)),
    ])
    report("Working resolution, automatic precision (median):",
           [(f"{size} px", pass_cost(nb, fast, size)) for size in (128, 96, 160)])
    report("visualize_filters, 16 filters, whole call (median of 3):", [
        (f"{steps} steps", median_seconds(lambda steps=steps: nb.visualize_filters(
            fast, LAYER, FILTERS, image_size=128, steps=steps, progress=False, **OURS), repeats=3,
            before=nb.MADE.clear))  # visualize_filters keeps its pictures: every timed call makes them afresh
        for steps in (48, 24, 96)])


if __name__ == "__main__":
    main()
