"""Peer feature-visualisation methods for the benchmark (Keras VGG16, no top).

Three peers, each returning ``(images_uint8, seconds_per_filter)`` where
``images_uint8`` has shape ``(n, H, W, 3)``, RGB, dtype uint8, one picture per
entry of ``filter_indices`` (same order), and ``seconds_per_filter`` is the
wall-clock time of the whole call (model wrapping, tf.function tracing and
optimisation included) divided by ``n``:

* :func:`keras_example_recipe`   - the keras-io example "Visualizing what
  convnets learn" (examples/vision/visualizing_what_convnets_learn.py), adapted
  to VGG16.
* :func:`tf_keras_vis_defaults`  - tf-keras-vis 0.8.x ``ActivationMaximization``
  at its defaults.
* :func:`xplique_defaults`       - Xplique 2.0.x ``features_visualizations.optimize``
  with ``Objective.channel``, at its defaults except ``custom_shape``.

Environment (see benchmarks/requirements-benchmark.txt)
-----------------------------------------------------
The peers live in a SEPARATE virtual environment, ``.venv-bench``, so that the
project's own environment (``.venv``: tensorflow 2.21.0, keras 3.15.1) is not
touched::

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -r benchmarks/requirements-benchmark.txt
    .venv-bench/bin/pip install --no-deps xplique==2.0.2

* tf-keras-vis 0.8.7 works as is with TF 2.21 / Keras 3 (it imports ``keras.src``
  when TF >= 2.16 and uses ``tf.keras``, which is Keras 3 here).
* xplique 2.0.2 *declares* ``tensorflow[and-cuda]<=2.20.0`` (plus the CUDA
  wheels, ``opencv-python`` and ``ruff``), so a plain ``pip install xplique``
  would downgrade TensorFlow to 2.20 and pull the CUDA wheels.  It is
  therefore installed with ``--no-deps`` and its real runtime dependencies are
  listed in the requirements file.  Its feature-visualisation code runs fine on
  TF 2.21 / Keras 3 (``tf.keras`` = Keras 3): no legacy Keras is needed, and
  no subprocess either.  xplique 1.x is NOT usable (it pins
  ``tensorflow<2.16`` and ``numpy<2``).
* ``tf-keras`` (legacy Keras 2) IS installed, but only because
  ``tensorflow-probability`` (imported by ``import xplique``) loads it
  internally when ``tf.keras`` is Keras 3.  ``TF_USE_LEGACY_KERAS`` must NOT be
  set: the models here are Keras 3 models.  This module refuses to run if it is.
* Neither peer package is installed in ``.venv``.  From ``.venv`` (e.g. the
  benchmark notebook) use :func:`run_in_bench_venv`, which runs a peer in
  ``.venv-bench`` in a subprocess and returns the same tuple.

Input spaces
------------
``keras.applications.VGG16`` expects caffe-preprocessed input
(``vgg16.preprocess_input``: RGB->BGR, minus the ImageNet mean
(103.939, 116.779, 123.68) in BGR, no scaling).  The keras-io recipe
optimises that input directly (like the example optimises ResNet50V2's input);
the two libraries get a rebuilt copy of the model that takes RGB pixels in
their default value range (tf-keras-vis: 0..255, xplique: 0..1) and applies
``preprocess_input`` inside (:func:`rgb_input_model`), so that their
defaults mean real pixels.  The copy has fresh layers with the same weights,
so the caller's model is never modified (tf-keras-vis's ``ReplaceToLinear``
mutates layers).

Usage (inside .venv-bench)::

    import keras
    from benchmarks import peers
    model = peers.load_vgg16()            # or keras.applications.VGG16(weights=..., include_top=False)
    imgs, spf = peers.xplique_defaults(model, "block4_conv3", [0, 1], image_size=128)

From .venv::

    imgs, spf = peers.run_in_bench_venv("xplique_defaults", "block4_conv3", [0, 1])

Command line (inside .venv-bench)::

    python benchmarks/peers.py check --layer block4_conv3 --filters 0 1 --out /tmp/peers_check
    python benchmarks/peers.py run --method tf_keras_vis_defaults --layer block4_conv3 \
        --filters 0 1 --npz /tmp/out.npz
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_PYTHON = REPO_ROOT / ".venv-bench" / "bin" / "python"
WEIGHTS_FILE = "vgg16_hed_bsds500_notop.weights.h5"
METHODS = ("keras_example_recipe", "tf_keras_vis_defaults", "xplique_defaults")


def _check_env() -> None:
    if os.environ.get("TF_USE_LEGACY_KERAS", "0").lower() in ("1", "true", "yes"):
        raise RuntimeError(
            "TF_USE_LEGACY_KERAS is set: tf.keras would be legacy Keras 2 (tf_keras) while the "
            "models here are Keras 3 models. Unset it; no peer needs legacy Keras.")
    if "TF_KERAS_VIS_MAX_STEPS" in os.environ:
        # tf-keras-vis silently caps `steps` with this variable (used by its own tests).
        raise RuntimeError("TF_KERAS_VIS_MAX_STEPS is set; it would cap tf-keras-vis's steps.")


def _peer(fn):
    """Decorator: environment checks, and silence one harmless Keras 3 warning during the call.

    The UserWarning "The structure of `inputs` doesn't match the expected structure" is raised
    when a functional model built with ``inputs=[x]`` (a list, as tf-keras-vis, xplique and the
    keras-io example build theirs) is called with a bare tensor.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _check_env()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The structure of `inputs` doesn't match",
                                    category=UserWarning)
            return fn(*args, **kwargs)
    return wrapper


def default_weights() -> str:
    """VGG16 weights: $VGG16_WEIGHTS, else ../shared/models/<file> beside the checkout."""
    env = os.environ.get("VGG16_WEIGHTS")
    if env:
        return env
    return str(REPO_ROOT.parent / "shared" / "models" / WEIGHTS_FILE)


def load_vgg16(weights: str | None = None):
    """``keras.applications.VGG16(weights=..., include_top=False)`` (input shape (None, None, 3))."""
    import keras
    return keras.applications.VGG16(weights=weights or default_weights(), include_top=False)


def _set_seed(seed: int | None) -> None:
    if seed is not None:
        import keras
        keras.utils.set_random_seed(seed)


# --------------------------------------------------------------------------- helpers

def _caffe_layer_class():
    import keras

    class RGBToCaffe(keras.layers.Layer):
        """RGB in [0, input_max] -> ``vgg16.preprocess_input(RGB * 255 / input_max)``."""

        def __init__(self, input_max: float = 255.0, **kwargs):
            super().__init__(**kwargs)
            self.input_max = float(input_max)

        def call(self, x):
            return keras.applications.vgg16.preprocess_input(x * (255.0 / self.input_max))

        def get_config(self):
            return {**super().get_config(), "input_max": self.input_max}

    return RGBToCaffe


def rgb_input_model(model, image_size: int, input_max: float = 255.0, name: str = "vgg16_rgb"):
    """Copy of a chain model (VGG16) that takes RGB in [0, input_max] and preprocesses inside.

    Input shape is fixed to ``(image_size, image_size, 3)`` (xplique builds its channel masks
    from the layer's static output shape).  Every layer of ``model`` is re-created from its config
    and given the same weights, so the copy is flat (``get_layer("block4_conv3")`` works, as
    ``ExtractIntermediateLayer`` and ``Objective.channel`` need), each layer has a single
    inbound node, and mutating it (``ReplaceToLinear``) leaves ``model`` untouched.
    Only valid for models whose layers form a single chain, like keras.applications.VGG16.
    """
    import keras

    inp = keras.Input((image_size, image_size, 3), name="rgb")
    x = _caffe_layer_class()(input_max, name="rgb_to_caffe")(inp)
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        new = layer.__class__.from_config(layer.get_config())
        x = new(x)
        new.set_weights(layer.get_weights())
    return keras.Model(inp, x, name=name)


def filter_mean_activation(model, layer_name: str, images_uint8: np.ndarray,
                           filter_indices: Sequence[int]) -> np.ndarray:
    """Mean activation (after ReLU) of filter ``filter_indices[i]`` on picture ``i``.

    Pictures are uint8 RGB; they go through ``vgg16.preprocess_input`` first.
    """
    import keras
    feat = keras.Model(model.input, model.get_layer(layer_name).output)
    x = keras.applications.vgg16.preprocess_input(np.asarray(images_uint8, dtype="float32"))
    act = np.asarray(feat(x))
    return np.array([act[i, ..., f].mean() for i, f in enumerate(filter_indices)])


# --------------------------------------------------------------------------- 1. keras-io example

@_peer
def keras_example_recipe(model, layer_name: str, filter_indices: Sequence[int],
                         image_size: int = 128, *, iterations: int = 30,
                         learning_rate: float = 10.0, crop: int = 25,
                         example_units: bool = True, seed: int | None = None):
    """The keras-io example "Visualizing what convnets learn" (fchollet, 2020), on VGG16.

    As in the example (which uses ResNet50V2 / ``conv3_block4_out`` / 180 px):

    * one filter at a time; loss = mean of the filter's activation excluding a 2-px border
      (``activation[:, 2:-2, 2:-2, filter_index]``);
    * ``iterations=30`` steps of gradient ascent with ``learning_rate=10.0`` on the model's
      input itself, the gradient L2-normalised over the whole tensor
      (``tf.math.l2_normalize(grads)``), step in a ``@tf.function``;
    * start image ``(tf.random.uniform((1, S, S, 3)) - 0.5) * 0.25``;
    * ``deprocess_image``: minus mean, / (std + 1e-5), * 0.15, crop 25 px each side, + 0.5,
      clip to [0, 1], * 255, uint8.

    Adaptation to VGG16 (how the example's start image maps to VGG16's input space).
    ResNet50V2's input r is in [-1, 1]: r = pixel / 127.5 - 1 (same for all channels), so the
    example's start image is grey 127.5 +- 16 grey levels of uniform noise, and each step moves
    the image by 10 (L2 norm) in r units = 1275 in grey levels.  VGG16's input is caffe space:
    x = BGR(pixel) - ImageNet mean (103.939, 116.779, 123.68), 1 unit = 1 grey level.  With
    ``example_units=True`` (default) the example is mapped exactly:
    x = BGR(127.5 * (r + 1)) - mean, i.e. the start image is
    ``(127.5 - mean) + 127.5 * (U[0,1) - 0.5) * 0.25`` in caffe space, the L2-normalised
    step is ``learning_rate * 127.5`` (= 10 in the example's units) and the model's input is
    optimised directly.  This is exactly the example run on a model that takes r and
    preprocesses inside (L2 normalisation is invariant to the channel flip), and
    ``deprocess_image`` is applied to x - (127.5 - mean) = pixel - 127.5 = 127.5 * r (its
    normalisation removes the scale), then BGR -> RGB.
    ``example_units=False`` uses the example's numbers verbatim as caffe values (start = the
    ImageNet mean colour +- 0.125 grey levels, steps of 10 grey levels in L2 norm, deprocess
    of x itself).  For deep layers that start image is so flat that the target filter is
    usually dead (ReLU) at the start, the gradient is exactly 0 and the picture is only the
    start noise, so it is kept only to document why the default maps the units.

    The example optimises 180 px and crops 25 px per side (130 px pictures).  Here the
    optimised image is ``image_size + 2 * crop`` px so that the returned pictures are
    ``image_size`` px like the other peers' (178 px optimised for 128 px pictures).

    One deviation for speed: the filter index is passed to the ``tf.function`` as a tensor
    (the example passes a Python int, which retraces the step for every filter).

    Returns ``(images (n, image_size, image_size, 3) uint8 RGB, seconds_per_filter)``.
    """
    import keras
    import tensorflow as tf

    t0 = time.perf_counter()
    _set_seed(seed)
    size = image_size + 2 * crop
    layer = model.get_layer(name=layer_name)
    feature_extractor = keras.Model(inputs=model.inputs, outputs=layer.output)

    @tf.function
    def gradient_ascent_step(img, filter_index, learning_rate):
        with tf.GradientTape() as tape:
            tape.watch(img)
            activation = feature_extractor(img)
            # Avoid border artifacts: only non-border pixels enter the loss.
            loss = tf.reduce_mean(activation[:, 2:-2, 2:-2, filter_index])
        grads = tape.gradient(loss, img)
        grads = tf.math.l2_normalize(grads)
        img += learning_rate * grads
        return loss, img

    # caffe value of the example's "0" (grey 127.5) and caffe units per example unit.
    mean_bgr = np.array([103.939, 116.779, 123.68], np.float32)
    offset = (127.5 - mean_bgr) if example_units else np.zeros(3, np.float32)
    scale = 127.5 if example_units else 1.0

    def initialize_image():
        # The example: "a gray image with some random noise", (U[0,1) - 0.5) * 0.25 in
        # ResNet50V2's [-1, 1] input space, mapped to VGG16's caffe input space.
        img = tf.random.uniform((1, size, size, 3))
        return offset + scale * (img - 0.5) * 0.25

    def deprocess_image(img):
        img = img - offset  # = scale * (example's r); the normalisation removes the scale
        img = img - img.mean()
        img /= img.std() + 1e-5
        img *= 0.15
        if crop:
            img = img[crop:-crop, crop:-crop, :]
        img += 0.5
        img = np.clip(img, 0, 1)
        img *= 255
        img = np.clip(img, 0, 255).astype("uint8")
        return img[..., ::-1]  # caffe input is BGR -> RGB

    lr = tf.constant(learning_rate * scale, tf.float32)
    out = []
    for filter_index in filter_indices:
        img = initialize_image()
        fi = tf.constant(int(filter_index), tf.int32)
        for _ in range(iterations):
            _, img = gradient_ascent_step(img, fi, lr)
        out.append(deprocess_image(img[0].numpy()))
    images = np.ascontiguousarray(np.stack(out))
    return images, (time.perf_counter() - t0) / len(filter_indices)


# --------------------------------------------------------------------------- 2. tf-keras-vis

@_peer
def tf_keras_vis_defaults(model, layer_name: str, filter_indices: Sequence[int],
                          image_size: int = 128, *, seed: int | None = None, **overrides):
    """tf-keras-vis 0.8.x ``ActivationMaximization`` at its defaults, all filters in one batch.

    Set-up as in tf-keras-vis's docs example "Visualizing Conv filters using
    ActivationMaximization" (docs/examples/visualize_conv_filters.ipynb):
    ``model_modifier=[ExtractIntermediateLayer(layer_name), ReplaceToLinear()]`` (the target
    conv layer becomes the output, its ReLU replaced by linear), ``clone=False`` (as in the
    docs; safe here because the model is a private RGB copy, see :func:`rgb_input_model`),
    score ``CategoricalScore(filter_indices)`` (sample i -> mean of filter
    ``filter_indices[i]`` over all positions), several filters at once via a batched
    ``seed_input = tf.random.uniform((n, S, S, 3), 0, 255)`` (the docs' way; it is the same
    distribution as the default seed, uniform over ``input_range``), and the result converted
    with ``.astype(np.uint8)`` as the docs do.

    Defaults of ``ActivationMaximization.__call__`` (read in tf_keras_vis 0.8.7's source):
    ``steps=200``; ``optimizer=tf.optimizers.RMSprop(learning_rate=1.0, rho=0.999)``;
    ``input_range=(0, 255)`` (the result is clipped to it; the seed is uniform in it);
    ``input_modifiers=[Jitter(jitter=4), Rotate2D(degree=1)]`` (every step: random roll by
    -4..3 px, random rotation by U(-1, 1) degrees via scipy, reflect mode);
    ``regularizers=[TotalVariation2D(weight=1.0), Norm(weight=0.3, p=1)]`` (TV / number of
    input values, L1 norm / number of input values); ``gradient_modifier=None``;
    ``training=False``.  The loss minimised is ``-score + regularisers``.

    The model is fed RGB in [0, 255]; ``vgg16.preprocess_input`` is applied inside it, so the
    default ``input_range`` means real pixels.  ``overrides`` are passed to the call (e.g.
    ``steps=5`` for a smoke test); leave empty for the benchmark.

    Returns ``(images (n, image_size, image_size, 3) uint8 RGB, seconds_per_filter)``.
    """
    import tensorflow as tf
    from tf_keras_vis.activation_maximization import ActivationMaximization
    from tf_keras_vis.utils.model_modifiers import ExtractIntermediateLayer, ReplaceToLinear
    from tf_keras_vis.utils.scores import CategoricalScore

    t0 = time.perf_counter()
    _set_seed(seed)
    filter_indices = [int(f) for f in filter_indices]
    rgb_model = rgb_input_model(model, image_size, input_max=255.0)
    activation_maximization = ActivationMaximization(
        rgb_model,
        model_modifier=[ExtractIntermediateLayer(index_or_name=layer_name), ReplaceToLinear()],
        clone=False)
    score = CategoricalScore(filter_indices)
    seed_input = tf.random.uniform((len(filter_indices), image_size, image_size, 3), 0, 255)
    activations = activation_maximization(score, seed_input=seed_input, **overrides)
    images = np.stack([np.asarray(a).astype(np.uint8) for a in activations])
    return images, (time.perf_counter() - t0) / len(filter_indices)


# --------------------------------------------------------------------------- 3. xplique

@_peer
def xplique_defaults(model, layer_name: str, filter_indices: Sequence[int],
                     image_size: int = 128, *, seed: int | None = None, **overrides):
    """Xplique 2.0.x ``features_visualizations.optimize`` with ``Objective.channel``.

    ``obj = Objective.channel(model, layer_name, filter_indices)`` (one channel sub-objective
    per filter, optimised together as one batch, one picture per filter, as in Xplique's
    docs: loss_i = mean over H, W, C of ``activation * onehot_mask(filter_i)``), then
    ``optimize(obj, custom_shape=(image_size, image_size))``.

    Defaults of ``optimize`` (read in xplique 2.0.2's source): ``nb_steps=256``;
    ``optimizer=tf.keras.optimizers.Adam(0.05)``; ``use_fft=True`` (Fourier-parameterised
    image) with ``fft_decay=0.85`` and init ``std=0.01``; ``image_normalizer="sigmoid"``
    after colour decorrelation (``recorrelate_colors``), then per-image min-max to
    ``values_range=(0, 1)``; ``transformations="standard"`` =
    pad(4u) + jitter(2u, 2u, 4u, 4u, 4u) + random_scale(0.92..0.96) + random_blur(sigma 1..1.1)
    + jitter(u, u) + random_flip with u = size // 16 (8 px at 128 px), then resized back to
    the model input size; ``regularizers=None``; ``warmup_steps=False``;
    ``custom_shape=(512, 512)`` -> overridden to ``(image_size, image_size)`` (the model input
    is also ``image_size``, so no resampling happens besides the transformations);
    ``save_every=None`` (only the final images are returned).

    The model is fed RGB in [0, 1] (xplique's default ``values_range``);
    ``vgg16.preprocess_input`` is applied inside it.  Output is converted with
    ``round(x * 255)`` to uint8.  ``overrides`` are passed to ``optimize`` (e.g.
    ``nb_steps=5`` for a smoke test); leave empty for the benchmark.

    Returns ``(images (n, image_size, image_size, 3) uint8 RGB, seconds_per_filter)``.
    """
    from xplique.features_visualizations import Objective, optimize

    t0 = time.perf_counter()
    _set_seed(seed)
    filter_indices = [int(f) for f in filter_indices]
    rgb_model = rgb_input_model(model, image_size, input_max=1.0)
    obj = Objective.channel(rgb_model, layer_name, filter_indices)
    kwargs = {"custom_shape": (image_size, image_size), **overrides}
    images, _names = optimize(obj, **kwargs)
    imgs = np.asarray(images[-1])
    images = np.clip(np.round(imgs * 255.0), 0, 255).astype(np.uint8)
    return images, (time.perf_counter() - t0) / len(filter_indices)


PEERS = {
    "keras_example_recipe": keras_example_recipe,
    "tf_keras_vis_defaults": tf_keras_vis_defaults,
    "xplique_defaults": xplique_defaults,
}


# --------------------------------------------------------------------------- subprocess runner

def run_in_bench_venv(method: str, layer_name: str, filter_indices: Sequence[int],
                      image_size: int = 128, *, python: str | os.PathLike | None = None,
                      weights: str | None = None, seed: int | None = None,
                      timeout: float | None = None, extra_args: Sequence[str] = ()):
    """Run one peer in ``.venv-bench`` (subprocess) and return ``(images, seconds_per_filter)``.

    For callers in the project's own ``.venv``, which has neither tf-keras-vis nor xplique.
    The subprocess loads VGG16 from ``weights`` (default :func:`default_weights`) itself;
    ``seconds_per_filter`` is measured inside it (Python/TF start-up and model loading not
    included).  ``extra_args``: more CLI arguments, e.g. ``["--steps", "5"]``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    python = str(python or BENCH_PYTHON)
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "out.npz")
        cmd = [python, str(Path(__file__).resolve()), "run", "--method", method,
               "--layer", layer_name, "--size", str(image_size), "--npz", npz,
               "--filters", *[str(int(f)) for f in filter_indices]]
        if weights:
            cmd += ["--weights", weights]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        cmd += list(extra_args)
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{method} failed in {python}:\n{proc.stderr[-4000:]}")
        with np.load(npz) as data:
            return data["images"], float(data["seconds_per_filter"])


# --------------------------------------------------------------------------- CLI

def _save_strip(images: np.ndarray, path: str, gap: int = 4) -> None:
    import cv2
    n, h, w, _ = images.shape
    strip = np.full((h, n * w + (n - 1) * gap, 3), 255, np.uint8)
    for i, im in enumerate(images):
        strip[:, i * (w + gap): i * (w + gap) + w] = im
    cv2.imwrite(path, strip[..., ::-1])


def _smoke_kwargs(method: str, steps: int | None) -> dict:
    if steps is None:
        return {}
    return {"keras_example_recipe": {"iterations": steps},
            "tf_keras_vis_defaults": {"steps": steps},
            "xplique_defaults": {"nb_steps": steps}}[method]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("run", "check"):
        s = sub.add_parser(name)
        s.add_argument("--layer", default="block4_conv3")
        s.add_argument("--filters", type=int, nargs="+", default=[0, 1])
        s.add_argument("--size", type=int, default=128)
        s.add_argument("--weights", default=None)
        s.add_argument("--seed", type=int, default=None)
        s.add_argument("--steps", type=int, default=None,
                       help="override the number of steps (smoke tests only)")
    sub.choices["run"].add_argument("--method", choices=METHODS, required=True)
    sub.choices["run"].add_argument("--npz", required=True)
    sub.choices["check"].add_argument("--methods", nargs="+", choices=METHODS,
                                      default=list(METHODS))
    sub.choices["check"].add_argument("--out", default="/tmp/peers_check")
    a = p.parse_args(argv)

    model = load_vgg16(a.weights)
    if a.cmd == "run":
        images, spf = PEERS[a.method](model, a.layer, a.filters, a.size, seed=a.seed,
                                      **_smoke_kwargs(a.method, a.steps))
        np.savez(a.npz, images=images, seconds_per_filter=spf)
        return 0

    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (len(a.filters), a.size, a.size, 3), dtype=np.uint8)
    base = filter_mean_activation(model, a.layer, noise, a.filters)
    print(f"layer {a.layer}, filters {a.filters}, {a.size} px")
    print(f"  uniform-random uint8 image: mean activation {[round(float(v), 3) for v in base]}")
    for method in a.methods:
        images, spf = PEERS[method](model, a.layer, a.filters, a.size, seed=a.seed,
                                    **_smoke_kwargs(method, a.steps))
        assert images.dtype == np.uint8 and images.shape == (len(a.filters), a.size, a.size, 3)
        act = filter_mean_activation(model, a.layer, images, a.filters)
        png = os.path.join(a.out, f"{method}_{a.layer}.png")
        _save_strip(images, png)
        ratio = act / np.maximum(base, 1e-6)
        print(f"  {method}: {spf:.2f} s/filter, mean activation {[round(float(v), 3) for v in act]} "
              f"(x{[round(float(v), 1) for v in ratio]} vs random), "
              f"pixel mean/std {images.mean():.1f}/{images.std():.1f} -> {png}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
