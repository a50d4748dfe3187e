"""The notebook's default method against its peers, side by side in one run.

Same weights, same filters (the first 16 of block3_conv1, block4_conv3, block5_conv3), 128-px pictures:

* ours:          `visualize_filters` with the notebook's default recipe, "fourier", 48 steps, seed 0 (loaded
                 from its `definitions` cells),
* keras_example: the Keras example "Visualizing what convnets learn" (one filter at a time, 30 steps,
                 learning rate 10, L2-normalised gradient),
* tf_keras_vis:  tf-keras-vis 0.8.x `ActivationMaximization` at its defaults,
* xplique:       Xplique's `optimize` with a channel objective at its defaults (128 px, as all others).

For each: seconds per filter, mean activation of the target filter on the displayed uint8 picture, the
same averaged over random jitter/scale/rotation of that picture (robust activation), the share of
spectral power above half the Nyquist frequency, the share of pixel values at 0 or 255, and the number of
flat or dead pictures. All pictures are scored by the same float32 VGG16.

Run by hand, from the repository root, in the benchmark environment (see requirements-benchmark.txt):

    .venv-bench/bin/python benchmarks/compare_methods.py [--filters 16] [--out benchmarks/results]
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import peers  # noqa: E402
from notebook_definitions import load_definitions  # noqa: E402

LAYERS = ["block3_conv1", "block4_conv3", "block5_conv3"]
FLAT_STD = 8.0  # grey levels: a picture whose pixels spread less than this shows nothing
OURS = dict(method="fourier", steps=48, seed=0)  # the notebook's default recipe, as this benchmark always ran it


def clipped_share(pictures):
    return ((pictures == 0) | (pictures == 255)).mean(axis=(1, 2, 3))


def score(nb, model, layer_name, filter_indices, pictures, seconds_per_filter):
    activation = nb.measure_activation(model, layer_name, filter_indices, pictures)
    return {
        "s/filter": seconds_per_filter,
        "activation": float(activation.mean()),
        "seen": float(nb.measure_activation(model, layer_name, filter_indices, pictures, under="seen").mean()),
        "unseen": float(nb.measure_activation(model, layer_name, filter_indices, pictures, under="unseen").mean()),
        "hf share": float(nb.fine_grain_share(pictures).mean()),
        "clipped": float(clipped_share(pictures).mean()),
        "flat/dead": int(((pictures.std(axis=(1, 2, 3)) < FLAT_STD) | (activation <= 0)).sum()),
    }


def run_ours(nb, model, layer_name, filter_indices, size):
    nb.MADE.clear()  # visualize_filters keeps every picture it made: time a fresh computation
    start = time.perf_counter()
    pictures = nb.visualize_filters(model, layer_name, filter_indices, image_size=size, progress=False, **OURS)
    return pictures, (time.perf_counter() - start) / len(filter_indices)


def contact_sheet(rows, path, tile=96):
    """One row of tiles per method, labelled at the left."""
    label_width = 130
    sheet_rows = []
    for name, pictures in rows:
        tiles = [cv2.resize(p, (tile, tile), interpolation=cv2.INTER_AREA) for p in pictures]
        strip = np.concatenate([np.pad(t, ((2, 2), (2, 2), (0, 0)), constant_values=255) for t in tiles], axis=1)
        label = np.full((tile + 4, label_width, 3), 255, np.uint8)
        cv2.putText(label, name, (4, tile // 2 + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1, cv2.LINE_AA)
        sheet_rows.append(np.concatenate([label, strip], axis=1))
    cv2.imwrite(str(path), cv2.cvtColor(np.concatenate(sheet_rows, axis=0), cv2.COLOR_RGB2BGR))


def markdown_table(results):
    columns = ["s/filter", "activation", "seen", "unseen", "hf share", "clipped", "flat/dead"]
    lines = ["| layer | method | " + " | ".join(columns) + " |", "|---|---|" + "---:|" * len(columns)]
    for (layer_name, method), values in results.items():
        cells = [f"{values[c]:.2f}" if isinstance(values[c], float) else str(values[c]) for c in columns]
        lines.append(f"| {layer_name} | {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(results):
    lines = []
    for layer_name in sorted({layer for layer, _ in results}):
        ours = results[(layer_name, "ours")]
        peer_names = [m for layer, m in results if layer == layer_name and m != "ours"]
        best_unseen = max(results[(layer_name, m)]["unseen"] for m in peer_names)
        libraries = [m for m in peer_names if m in ("tf_keras_vis", "xplique")]
        line = (f"- {layer_name}: activation under unseen transformations {ours['unseen'] / best_unseen:.1f}x the best "
                "peer's")
        if libraries:
            fastest = min(results[(layer_name, m)]["s/filter"] for m in libraries)
            line += f"; {fastest / ours['s/filter']:.1f}x faster per filter than the faster of tf-keras-vis and Xplique"
        if "keras_example" in peer_names:
            keras_example = results[(layer_name, "keras_example")]
            line += (f"; high-frequency share {ours['hf share'] / keras_example['hf share']:.2f}x the Keras "
                     f"example's")
        lines.append(line)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=16, help="the first N filters of each layer")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--layers", nargs="+", default=LAYERS)
    parser.add_argument("--peers", nargs="+", default=["keras_example", "tf_keras_vis", "xplique"])
    parser.add_argument("--out", default=str(REPO_ROOT / "benchmarks" / "results"))
    args = parser.parse_args()

    nb = load_definitions()
    weights = peers.default_weights()
    ours_model = nb.load_vgg16(weights)  # the notebook's own choice of precision
    reference = nb.load_vgg16(weights, precision="float32")  # scores every picture, and runs the peers
    runners = {
        "keras_example": peers.keras_example_recipe,
        "tf_keras_vis": peers.tf_keras_vis_defaults,
        "xplique": peers.xplique_defaults,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for layer_name in args.layers:
        filter_indices = list(range(args.filters))
        rows = []
        for method in ["ours", *args.peers]:
            if method == "ours":
                pictures, seconds = run_ours(nb, ours_model, layer_name, filter_indices, args.size)
            else:
                pictures, seconds = runners[method](reference, layer_name, filter_indices, image_size=args.size)
            results[(layer_name, method)] = score(nb, reference, layer_name, filter_indices, pictures, seconds)
            print(layer_name, method, results[(layer_name, method)], flush=True)
            rows.append((method, pictures))
        contact_sheet(rows, out / f"compare_{layer_name}.png")
    report = (f"Weights: {Path(weights).name}. {args.filters} filters per layer, {args.size} px. "
              f"Device: {nb.describe_device()}; ours computes in {nb.pick_precision()}.\n\n"
              f"{markdown_table(results)}\n\n{ratios(results)}\n")
    (out / "results.md").write_text(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
