"""Section 11's network: the notebook's default recipe against the Keras example's, on the same filters, in one run.

The network is the face-expression classifier of the `fer` package (64 × 64 grey input, "tf" convention), loaded
by the notebook's own `load_expression_network`. For each layer of section 11 (activation_4, activation_6), the
first 16 filters that fire on the notebook's photos, from 4 seeds: the default method ("fourier", 48 steps) and
the Keras example's recipe (the notebook's section 4: plain pixels, 30 normalised steps of 5). Each picture is
scored as the notebook scores it (section 5f): mean activation, and under unseen transformations; "flat" counts
pictures whose float values spread less than twice as far as their random start's (judged before the contrast
stretch). The pictures side by side go to benchmarks/results/own_network.jpg, the table to own_network.txt.
Run by hand:

    .venv/bin/python benchmarks/own_network.py
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from notebook_definitions import load_definitions  # noqa: E402

LAYERS, FILTERS, SEEDS, SIZE = ["activation_4", "activation_6"], 16, [42, 43, 44, 45], 64
PHOTOS = ["astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle", "camera", "coins", "clock", "brick",
          "grass", "gravel", "hubble_deep_field"]  # the notebook's photos, which pick the filters


def ours(nb, model, layer_name, filters, seed):
    """The default recipe: (uint8 pictures, float images)."""
    floats = nb.visualize_filters(model, layer_name, filters, method="fourier", steps=48, image_size=SIZE,
                                  seed=seed, progress=False, floats=True)
    return nb.postprocess(floats), floats


def keras_example(nb, model, layer_name, filters, seed):
    """The Keras example's recipe, one filter at a time: (uint8 pictures, float images)."""
    floats = np.stack([nb.visualize_filter_naively(model, layer_name, i, SIZE, 30, 5.0, seed)[1] for i in filters])
    return nb.postprocess(floats), floats


def bootstrap_interval(ours, theirs, resamples=2000):
    """5th and 95th percentiles of the ratio of medians, the same (filter, seed) pairs drawn for both recipes."""
    draws = np.random.default_rng(0).integers(0, len(ours), (resamples, len(ours)))
    ratios = np.median(ours[draws], axis=1) / np.median(theirs[draws], axis=1)
    return np.percentile(ratios, 5), np.percentile(ratios, 95)


def starts(nb, method, filters, seed, field):
    """The random starts each recipe moves from, as float RGB images."""
    if method is ours:
        return nb.METHODS["fourier"].image(filters, SIZE, seed, field=field)().numpy()
    return np.stack([nb.faint_noise(nb.start_rng(seed, i), SIZE) for i in filters])


def main():
    nb = load_definitions()
    model = nb.load_expression_network()
    responses = nb.measure_photos(model, nb.load_photos(PHOTOS), layer_names=LAYERS)
    lines, rows = [f"{'layer':<14}{'recipe':<15}{'s/filter':>9}{'activation':>12}{'unseen':>9}{'flat':>6}"], []
    for layer_name in LAYERS:
        filters, _ = nb.filters_that_fire(responses[layer_name], FILTERS)
        field, unseen = nb.layer_geometries(model)[layer_name].field, {}
        for method in (ours, keras_example):
            begin, scores, flat = time.perf_counter(), {"activation": [], "unseen": []}, 0
            for seed in SEEDS:
                pictures, floats = method(nb, model, layer_name, filters, seed)
                scores["activation"].append(nb.measure_activation(model, layer_name, filters, pictures))
                scores["unseen"].append(nb.measure_activation(model, layer_name, filters, pictures, under="unseen"))
                start = starts(nb, method, filters, seed, field).mean(axis=-1)  # the grey the network sees
                flat += int((floats.mean(axis=-1).std(axis=(1, 2)) < 2 * start.std(axis=(1, 2))).sum())
                if seed == SEEDS[0]:
                    rows.append(np.concatenate(list(pictures[:8]), axis=1))
            seconds = (time.perf_counter() - begin) / (len(SEEDS) * len(filters))
            unseen[method.__name__] = np.concatenate(scores["unseen"])
            lines.append(f"{layer_name:<14}{method.__name__:<15}{seconds:>9.2f}"
                         f"{np.median(np.concatenate(scores['activation'])):>12.2f}"
                         f"{np.median(unseen[method.__name__]):>9.2f}{flat:>6d}")
        ratio = np.median(unseen["ours"]) / np.median(unseen["keras_example"])
        low, high = bootstrap_interval(unseen["ours"], unseen["keras_example"])
        lines.append(f"{layer_name:<14}unseen, ours / Keras example: {ratio:.2f}× (medians over "
                     f"{len(filters)} filters × {len(SEEDS)} seeds; 90 % bootstrap interval {low:.2f}–{high:.2f}×)")
    report = (f"fer face-expression network, {SIZE} px, filters: the first {FILTERS} that fire on the photos, "
              f"seeds {SEEDS}; medians\n" + "\n".join(lines))
    print(report)
    results = HERE / "results"
    (results / "own_network.txt").write_text(report + "\n")
    grid = cv2.resize(np.concatenate(rows, axis=0), None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)
    cv2.imwrite(str(results / "own_network.jpg"), grid[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 80])


if __name__ == "__main__":
    main()
