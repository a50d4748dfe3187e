"""The weight of the total-variation penalty for the ladder's alternative "TV penalty, not Fourier" (notebook
section 5g): the weight whose pictures keep as much fine grain as those of the rung "+ Fourier 1/f" (the Fourier
image, plain RGB, every frequency), so that the two ways of smoothing a picture are compared at equal grain.

The ladder's setting: the notebook's recipe `PIXELS_ADAM` (pixels, its transformations, Adam on the rising
rate with the last steps averaged), `filter_objective` plus `total_variation_penalty(weight, ...)`, the 8 filters
of block4_conv3 that respond most strongly to the notebook's photos, 96 px, 48 steps, seeds 42 and 43 (the
notebook's). For each weight (0: no penalty), and for the rung "+ Fourier 1/f": the median over the 16 pictures
of the mean activation, the same under unseen transformations, the fine-grain share and the pictures' total
variation (all measured on the `uint8` picture as shown). The pictures of the first seed go to
benchmarks/results/total_variation.jpg. Run by hand:

    .venv/bin/python benchmarks/total_variation.py [--weights 0 0.5 1 2 4 8]
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import numpy as np  # noqa: E402
from notebook_definitions import load_definitions  # noqa: E402
from peers import default_weights  # noqa: E402
from schedule import PHOTOS, save_side_by_side  # noqa: E402

LAYER, FILTERS, IMAGE_SIZE, STEPS, SEEDS = "block4_conv3", 8, 96, 48, (42, 43)  # the notebook's ladder


def total_variation(pictures):
    """Per uint8 picture: the mean absolute difference of neighbouring pixel values, on the 0-1 scale."""
    values = np.asarray(pictures, np.float64) / 255.0
    return (np.abs(np.diff(values, axis=1)).mean(axis=(1, 2, 3)) + np.abs(np.diff(values, axis=2)).mean(axis=(1, 2, 3)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", type=float, default=[0, 0.25, 0.5, 1, 2, 4, 8])
    args = parser.parse_args()
    nb = load_definitions()
    model = nb.load_vgg16(default_weights(), precision="float32")
    filters = nb.strongest_filters(nb.measure_photos(model, nb.load_photos(PHOTOS))[LAYER], FILTERS)
    print(f"Device: {nb.describe_device()} | {LAYER}, filters {filters}, seeds {list(SEEDS)}, {IMAGE_SIZE} px, "
          f"{STEPS} steps, recipe PIXELS_ADAM; medians over {FILTERS * len(SEEDS)} pictures")
    print(f"{'weight':>22}{'activation':>12}{'unseen':>9}{'fine grain':>12}{'variation':>11}")
    fourier, _ = nb.LADDER["+ Fourier 1/f"]
    candidates = {**{f"{weight:g}": (nb.PIXELS_ADAM, weight) for weight in args.weights}, "+ Fourier 1/f": (fourier, 0)}
    grain, rows = {}, []
    for label, (recipe, weight) in candidates.items():
        made = []
        for seed in SEEDS:
            objective = nb.filter_objective(LAYER)
            if weight:
                objective = objective + nb.total_variation_penalty(weight, objective)
            made.append(nb.visualize_filters(model, LAYER, filters, method=recipe, objective=objective,
                                             image_size=IMAGE_SIZE, steps=STEPS, seed=seed, progress=False))
        pictures = np.concatenate(made)
        targets = filters * len(SEEDS)
        grain[label] = np.median(nb.fine_grain_share(pictures))
        print(f"{label:>22}{np.median(nb.measure_activation(model, LAYER, targets, pictures)):12.1f}"
              f"{np.median(nb.measure_activation(model, LAYER, targets, pictures, under='unseen')):9.1f}"
              f"{grain[label]:12.3f}{np.median(total_variation(pictures)):11.3f}", flush=True)
        rows.append((f"{label}", made[0]))
    reference = grain.pop("+ Fourier 1/f")
    match = min(grain, key=lambda label: abs(grain[label] - reference))
    print(f"The weight whose fine grain is closest to the Fourier image's ({reference:.3f}): {match} "
          f"({grain[match]:.3f}); the notebook uses TV_WEIGHT = {nb.TV_WEIGHT:g}")
    (HERE / "results").mkdir(exist_ok=True)
    save_side_by_side(HERE / "results" / "total_variation.jpg", rows)


if __name__ == "__main__":
    main()
