"""The weight of the total-variation penalty for the ladder's alternative "TV penalty, not Fourier" (notebook
section 5g): the weight whose pictures keep as much fine grain as those of the rung "+ Fourier 1/f" (the Fourier
image, plain RGB, every frequency), so that the two ways of smoothing a picture are compared at equal grain.

The ladder's setting: the notebook's recipe `PIXELS_ADAM` (pixels, its transformations, Adam on the rising
rate with the last steps averaged), `filter_objective` plus `total_variation_penalty(weight, ...)`, the 8 filters
of block4_conv3 that respond most strongly to the notebook's photos, 96 px, 48 steps, seeds 42 and 43 (the
notebook's). For each weight (0: no penalty), and for the rung "+ Fourier 1/f": the median over the 16 pictures
of every score of the notebook's ladder, made and measured by the notebook's own `climb_ladder`, so that its
numbers are those the notebook prints. The pictures of the first seed go to
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", type=float, default=[0, 0.25, 0.5, 1, 2, 4, 8])
    args = parser.parse_args()
    nb = load_definitions()
    model = nb.load_vgg16(default_weights(), precision="float32")
    filters = nb.strongest_filters(nb.measure_photos(model, nb.load_photos(PHOTOS))[LAYER], FILTERS)
    print(f"Device: {nb.describe_device()} | {LAYER}, filters {filters}, seeds {list(SEEDS)}, {IMAGE_SIZE} px, "
          f"{STEPS} steps, recipe PIXELS_ADAM; the median over {FILTERS * len(SEEDS)} pictures (the middle half)")
    rungs = {**{f"TV weight {weight:g}": (nb.PIXELS_ADAM, weight) for weight in args.weights},
             "+ Fourier 1/f": nb.LADDER["+ Fourier 1/f"]}
    pictures, scores = nb.climb_ladder(model, LAYER, filters, rungs, image_size=IMAGE_SIZE, steps=STEPS, seeds=SEEDS)
    print(nb.score_table(scores))
    grain = {label: np.median(score["fine grain"]) for label, score in scores.items()}
    reference = grain.pop("+ Fourier 1/f")
    match = min(grain, key=lambda label: abs(grain[label] - reference))
    print(f"The weight whose fine grain is closest to the Fourier image's ({reference:.3f}): {match} "
          f"({grain[match]:.3f}); the notebook uses TV_WEIGHT = {nb.TV_WEIGHT:g}")
    (HERE / "results").mkdir(exist_ok=True)
    save_side_by_side(HERE / "results" / "total_variation.jpg", list(pictures.items()))


if __name__ == "__main__":
    main()
