"""The notebook's schedule against the previous one, in one run, in both precisions.

Previous default: Adam at a constant learning rate of 0.08 (beta_1 0.9), 96 steps, from a start of spread 0.01.
New default:      Adam with a learning rate rising linearly to 0.4 (beta_1 0.5), 48 steps, the picture the
                  running average of the image (ema_momentum 0.9), from a start of spread 0.05.

For block3_conv1, block4_conv3 and block5_conv3, the 16 filters that respond most strongly to the notebook's
photos, 128 px, the default method ("fourier"): seconds per filter (one timed `visualize_filters` call of the 16
filters, after a warm-up call), and the pictures' quality as the notebook scores it (section 5f): mean
activation under unseen transformations, fine-grain share, mean saturation, and the number of flat pictures (float
values spread less than twice as far as the random start's: judged before the contrast stretch).
Ratios are previous / new. Side-by-side pictures go to benchmarks/results/schedule_<layer>_<precision>.jpg.
Run by hand:

    .venv/bin/python benchmarks/schedule.py [--precisions float32 mixed_bfloat16] [--filters 16]
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from notebook_definitions import load_definitions  # noqa: E402
from peers import default_weights  # noqa: E402

LAYERS = ["block3_conv1", "block4_conv3", "block5_conv3"]
PHOTOS = ["astronaut", "chelsea", "coffee", "rocket", "stereo_motorcycle", "camera", "coins", "clock", "brick",
          "grass", "gravel", "hubble_deep_field"]  # the notebook's photos, which pick the filters
IMAGE_SIZE, SEED = 128, 0  # as this benchmark always used (the old defaults of visualize_filters)


def plain_adam(learning_rate, steps):
    """Adam at a constant learning rate, as the previous default had it."""
    import keras

    return keras.optimizers.Adam(learning_rate)


def schedules(nb):
    """label → (method: a name in nb.METHODS or a Recipe, steps). The previous default is the "fourier" recipe
    with plain Adam at a constant 0.08 and a start of spread 0.01 (its band limit and transformations as now)."""
    previous_image = type("PreviousFourierImage", (nb.FourierImage,), {"start_spread": 0.01})
    previous = nb.METHODS["fourier"]._replace(image=previous_image, optimizer=plain_adam, learning_rate=0.08)
    return {"previous: constant 0.08, 96 steps": (previous, 96),
            "new: rising to 0.4, averaged, 48 steps": ("fourier", 48)}


def measure(nb, model, layer_name, filters, method, steps):
    settings = dict(method=method, image_size=IMAGE_SIZE, seed=SEED, progress=False)
    nb.MADE.clear()  # visualize_filters keeps every picture it made: each call below must compute its own
    nb.visualize_filters(model, layer_name, filters[:2], steps=2, **settings)  # warm-up
    nb.MADE.clear()
    start = time.perf_counter()
    floats = nb.visualize_filters(model, layer_name, filters, steps=steps, floats=True, **settings)
    seconds = (time.perf_counter() - start) / len(filters)
    pictures = nb.postprocess(floats)
    unseen = nb.measure_activation(model, layer_name, filters, pictures, under="unseen").mean()
    flat = count_flat(nb, model, layer_name, filters, method, floats)
    return {"s/filter": seconds, "unseen": unseen, "fine grain": nb.fine_grain_share(pictures).mean(),
            "saturation": nb.saturation(pictures).mean(), "flat": flat}, pictures


def count_flat(nb, model, layer_name, filters, method, floats):
    """Pictures whose float values spread less than twice as far as their random start's: judged before the
    contrast stretch of `postprocess`, which makes any image that is not constant look contrasted."""
    recipe = nb.METHODS[method] if isinstance(method, str) else method
    start = recipe.image(filters, IMAGE_SIZE, SEED, field=nb.layer_geometries(model)[layer_name].field)().numpy()
    return int((floats.std(axis=(1, 2, 3)) < 2 * start.std(axis=(1, 2, 3))).sum())


def save_side_by_side(path, rows):
    """One row of pictures per schedule, 8 pictures each, labelled on the left."""
    strips = []
    for label, pictures in rows:
        strip = np.concatenate(list(pictures[:8]), axis=1)
        banner = np.full((18, strip.shape[1], 3), 255, np.uint8)
        cv2.putText(banner, label, (4, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        strips += [banner, strip]
    cv2.imwrite(str(path), cv2.cvtColor(np.concatenate(strips), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precisions", nargs="+", default=["float32", "mixed_bfloat16"])
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--layers", nargs="+", default=LAYERS)
    args = parser.parse_args()
    nb = load_definitions()
    weights = default_weights()
    print("Device:", nb.describe_device(), "| automatic precision here:", nb.pick_precision(), "| weights:", weights)
    (HERE / "results").mkdir(exist_ok=True)
    compared = schedules(nb)
    for precision in args.precisions:
        model = nb.load_vgg16(weights, precision=precision)
        responses = nb.measure_photos(model, nb.load_photos(PHOTOS))
        print(f"\nprecision {precision} ({nb.pick_precision() if precision == 'auto' else precision}), "
              f"{args.filters} filters per layer, {IMAGE_SIZE} px")
        print(f"  {'layer':<14}{'schedule':<42}{'s/filter':>9}{'unseen':>9}{'fine grain':>11}"
              f"{'saturation':>11}{'flat':>5}")
        for layer_name in args.layers:
            filters = nb.strongest_filters(responses[layer_name], args.filters)
            results, rows = [], []
            for label, (method, steps) in compared.items():
                result, pictures = measure(nb, model, layer_name, filters, method, steps)
                results.append(result)
                rows.append((f"{label} ({precision})", pictures))
                print(f"  {layer_name:<14}{label:<42}{result['s/filter']:9.2f}{result['unseen']:9.1f}"
                      f"{result['fine grain']:11.3f}{result['saturation']:11.3f}{result['flat']:5d}", flush=True)
            before, after = results
            print(f"  {'':<14}{'ratio previous / new':<42}{before['s/filter'] / after['s/filter']:8.2f}x"
                  f"{before['unseen'] / after['unseen']:8.2f}x")
            save_side_by_side(HERE / "results" / f"schedule_{layer_name}_{precision}.jpg", rows)


if __name__ == "__main__":
    main()
