"""Every mistake a reader can make with the notebook's functions gets a clear message, before any work is done.

The parametrised tests at the end replay, on the new API, every call of the bad-input review of 2026-12-01
(../shared/reviews/bad-inputs-2026-12-01.md) that was silently wrong or failed with an unclear error."""

import math
import types

import keras
import numpy as np
import pytest


def visualize(nb, model, layer_name="block3_conv1", filter_indices=(0,), **options):
    settings = dict(image_size=64, steps=1, progress=False, method="pixels", seed=0)
    settings.update(options)
    return nb.visualize_filters(model, layer_name, list(filter_indices)
                                if isinstance(filter_indices, tuple) else filter_indices, **settings)


def test_unknown_layer_lists_the_conv_layers_and_suggests_the_closest(nb, vgg16):
    with pytest.raises(ValueError) as error:
        visualize(nb, vgg16, layer_name="blok3_conv1")
    message = str(error.value)
    assert "Did you mean 'block3_conv1'" in message
    assert "block1_conv1" in message and "block5_conv3" in message


def test_a_layer_without_a_feature_map_is_refused(nb, vgg16_with_top):
    with pytest.raises(ValueError, match="'fc1' is not a layer of 'vgg16' whose output is a feature map.*Its "
                                         "convolution layers are: block1_conv1"):
        visualize(nb, vgg16_with_top, layer_name="fc1", image_size=224)


def test_a_pooling_layer_has_filters_like_a_convolution(nb, vgg16):
    assert visualize(nb, vgg16, layer_name="block2_pool").shape == (1, 64, 64, 3)


def test_layer_name_must_be_a_string(nb, vgg16):
    with pytest.raises(TypeError, match="layer_name must be a string"):
        visualize(nb, vgg16, layer_name=3)


@pytest.mark.parametrize("filter_indices, error, text", [
    ([256], ValueError, "a filter index of block3_conv1 must be between 0 and 255, got 256"),
    ([-1], ValueError, "a filter index of block3_conv1 must be between 0 and 255, got -1"),
    ([], ValueError, r"filter_indices must list .*filters?, each once.*\[\]"),
    ([2, 5, 2], ValueError, r"filter_indices must list .*filters?, each once.*\[2, 5, 2\]"),
    (4, TypeError, r"filter_indices must be a list of ints, e.g. \[3\], not 4"),
    ([1.5], TypeError, "a filter index of block3_conv1 must be an int, not float 1.5"),
    (["0"], TypeError, "a filter index of block3_conv1 must be an int, not str '0'"),
    ([True], TypeError, "a filter index of block3_conv1 must be an int, not bool True"),
    (None, TypeError, "filter_indices must be a list of ints"),
])
def test_bad_filter_indices(nb, vgg16, filter_indices, error, text):
    with pytest.raises(error, match=text):
        visualize(nb, vgg16, filter_indices=filter_indices)


def test_numpy_integer_indices_are_fine(nb, vgg16):
    assert visualize(nb, vgg16, filter_indices=list(np.arange(2))).shape == (2, 64, 64, 3)


def test_an_image_too_small_for_the_layer_names_the_smallest_size(nb, vgg16):
    with pytest.raises(ValueError, match="too small for block5_conv3.*image_size >= 80"):
        visualize(nb, vgg16, layer_name="block5_conv3", image_size=64)
    assert nb.check_image_size(vgg16, "block1_conv1", 8) == 8
    with pytest.raises(ValueError, match="too small for block1_conv1.*image_size >= 8"):
        nb.check_image_size(vgg16, "block1_conv1", 7)


@pytest.mark.parametrize("options, error, text", [
    (dict(steps=0), ValueError, "steps must be between 1 and 10000, got 0"),
    (dict(steps=2.5), TypeError, "steps must be an int, not float 2.5"),
    (dict(learning_rate=0), ValueError, "learning_rate must be > 0 and <= [0-9.]+ and finite, got 0"),
    (dict(learning_rate=-0.1), ValueError, "learning_rate must be > 0 and <= [0-9.]+ and finite, got -0.1"),
    (dict(learning_rate="0.1"), TypeError, "learning_rate must be a number, not str '0.1'"),
    (dict(learning_rate=math.nan), ValueError, "learning_rate must be > 0 and <= [0-9.]+ and finite, got nan"),
    (dict(image_size=0), ValueError, "image_size must be >= 1, got 0"),
    (dict(image_size="64"), TypeError, "image_size must be an int, not str '64'"),
    (dict(seed=1.0), TypeError, "seed must be an int, not float 1.0"),
    (dict(seed=-1), ValueError, "seed must be between 0 and 2147483647, got -1"),
    (dict(image_size=100000), ValueError, r"image_size=100000 is too large: one picture for block3_conv1 would .*4 GiB "
                                          r"budget; the largest that .* is about \d+$"),
    (dict(method="lucid"), ValueError, r"method must be one of 'pixels', 'pixels\+transforms', 'fourier-rgb', "
                                       r"'fourier', 'maco', not 'lucid'"),
    (dict(method=None), TypeError, r"method must be a name in METHODS.* or a Recipe, not None"),
    (dict(objective="channel"), TypeError, r"objective must be an Objective such as "
                                           r"neuron_objective\('block3_conv1'\), not 'channel'"),
    (dict(progress="no"), TypeError, "progress must be True or False, not .*'no'"),
])
def test_bad_settings(nb, vgg16, options, error, text):
    with pytest.raises(error, match=text):
        visualize(nb, vgg16, **options)


def test_missing_weights_file(nb, tmp_path):
    with pytest.raises(FileNotFoundError, match="No weights file at"):
        nb.load_vgg16(str(tmp_path / "nothing.h5"))


def test_weights_file_that_does_not_fit_vgg16(nb, tmp_path):
    other = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3)])
    path = tmp_path / "other.weights.h5"
    other.save_weights(path)
    with pytest.raises(ValueError, match="does not hold weights that fit VGG16"):
        nb.load_vgg16(str(path))


def test_failed_download_says_how_to_provide_the_weights(nb, monkeypatch, tmp_path):
    from keras.src.utils import file_utils

    def no_internet(*args, **kwargs):
        raise Exception("URL fetch failure: no route to host")

    monkeypatch.setattr(file_utils, "get_file", no_internet)
    with pytest.raises(RuntimeError) as error:
        nb.load_vgg16("imagenet")
    message = str(error.value)
    assert "VGG16_WEIGHTS" in message and "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in message


@pytest.mark.parametrize("weights, precision, error, text", [
    (3, "auto", TypeError, "weights must be 'imagenet' or a path to a weights file, not .*3"),
    ("imagenet", "float64", ValueError, "precision must be one of 'auto', 'float32', 'mixed_bfloat16', "
                                        "'mixed_float16', not 'float64'"),
])
def test_bad_load_arguments(nb, weights, precision, error, text):
    with pytest.raises(error, match=text):
        nb.load_vgg16(weights, precision=precision)


def test_postprocess_gives_uint8_in_range(nb):
    rng = np.random.default_rng(0)
    images = rng.normal(0, 50, (3, 40, 40, 3)).astype(np.float32)
    images[0, 0, 0] = 1e6  # one extreme pixel must not grey out the rest
    pictures = nb.postprocess(images)
    assert pictures.dtype == np.uint8 and pictures.shape == (3, 40, 40, 3)
    assert pictures.min() == 0 and pictures.max() == 255
    assert pictures[0].std() > 40
    assert nb.postprocess(images[0]).shape == (1, 40, 40, 3)


@pytest.mark.parametrize("images, text", [
    (np.zeros((2, 8, 8)), r"\(n, H, W, 3\)"),
    (np.full((1, 8, 8, 3), np.nan), "NaN"),
])
def test_postprocess_refuses_bad_images(nb, images, text):
    with pytest.raises(ValueError, match=text):
        nb.postprocess(images)


def test_weights_file_of_a_smaller_network_is_refused(nb, tmp_path):
    full = keras.applications.VGG16(weights=None, include_top=False)
    first_blocks = keras.Model(full.inputs, full.get_layer("block3_pool").output)
    path = tmp_path / "first_blocks.weights.h5"
    first_blocks.save_weights(path)
    with pytest.raises(ValueError, match="does not hold weights that fit VGG16"):
        nb.load_vgg16(str(path))


@pytest.mark.parametrize("model, error, text", [
    ("vgg16", TypeError, r"model must be a Keras model such as load_vgg16\(\)'s, not 'vgg16'"),
    (None, TypeError, r"model must be a Keras model such as load_vgg16\(\)'s, not None"),
    (keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, name="block1_conv1")]), ValueError,
     r"the input convention of model 'sequential.*' is unknown: name it with use_network\(model, preprocess=\.\.\.\)"),
])
def test_a_model_that_cannot_be_read_is_refused(nb, model, error, text):
    with pytest.raises(error, match=text):
        nb.visualize_filters(model, "block1_conv1", [0], image_size=32, steps=1, method="pixels", seed=0,
                             progress=False)
    with pytest.raises(error, match=text):
        nb.measure_photos(model, [np.zeros((40, 40, 3), np.uint8)])


def test_the_largest_image_size_named_in_the_error_fits(nb, vgg16):
    with pytest.raises(ValueError) as error:
        visualize(nb, vgg16, layer_name="block5_conv3", image_size=5000)
    largest = int(str(error.value).rsplit(" ", 1)[1])
    budget = nb.MEMORY_BUDGET_GB * 2**30
    assert nb.bytes_per_image(vgg16, "block5_conv3", largest) <= budget
    assert nb.bytes_per_image(vgg16, "block5_conv3", largest + 16) > budget


# ---------------------------------------------------------------------------------------------------------------
# The review's calls (13 silently wrong, 40 unclear on the old API), translated to the new API. Each must now
# raise a clear TypeError or ValueError that names the argument and what is allowed, before any work is done.


@pytest.fixture(scope="module")
def world(nb, vgg16):
    """What the calls need that is correct: VGG16, two small photos, their responses and block1 maps."""
    photos = nb.load_photos(["coffee", "chelsea"], max_side=64)
    responses = nb.measure_photos(vgg16, photos)
    return types.SimpleNamespace(
        nb=nb, model=vgg16, photos=photos, responses=responses, layer_responses=responses["block3_conv1"],
        block1_maps=nb.photo_activations(vgg16, "block1_conv1", photos),
        toy=keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, name="block1_conv1")]))


@pytest.fixture(scope="module")
def vgg16_with_top():
    """VGG16 with its classifier, so a fixed 224-px input (random weights: no download). ~0.5 GB: built once."""
    return keras.applications.VGG16(weights=None, include_top=True)


@pytest.fixture(scope="module")
def mobilenet():
    return keras.applications.MobileNetV2(weights=None, input_shape=(64, 64, 3))


@pytest.fixture
def no_work(nb, monkeypatch):
    """Fail the test if the call runs the network, renders a picture or copies a model before its error."""
    def work(*args, **kwargs):
        pytest.fail("the call started work before raising its error")

    monkeypatch.setattr(nb, "render", work)
    monkeypatch.setattr(nb, "feature_extractor", lambda model, *names: work)  # building it is fine, running not
    monkeypatch.setattr(nb.keras.models, "clone_model", work)


def check_refused(call, w, error, text):
    with pytest.raises(error, match=text):
        call(w)


def vf(w, model=None, **options):
    """The review's `vf`: visualize_filters(model, 'block1_conv1', [0], image_size=64, steps=2, ...)."""
    settings = dict(image_size=64, steps=2, method="pixels", seed=0)
    settings.update(options)
    return w.nb.visualize_filters(w.model if model is None else model, "block1_conv1", [0], **settings)


def tap(w, **options):
    """The review's `tap`: top_activating_patches(model, 'block3_conv1', 10, photos, ...)."""
    return w.nb.top_activating_patches(w.model, "block3_conv1", 10, w.photos, **options)


def kaa(w, method="pixels", **options):
    """The review's `kaa`: known_answer_agreement(model, method, image_size=16, steps=2, seed=0, ...)."""
    settings = dict(image_size=16, steps=2, seed=0)
    settings.update(options)
    return w.nb.known_answer_agreement(w.model, method, **settings)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: tap(w, count=-1), ValueError, "count must be >= 1, got -1", id="tap(count=-1)"),
    pytest.param(lambda w: tap(w, count=2.5), TypeError, "count must be an int, not float 2.5", id="tap(count=2.5)"),
    pytest.param(lambda w: tap(w, per_photo=-1), ValueError, "per_photo must be >= 1, got -1",
                 id="tap(per_photo=-1)"),
    pytest.param(lambda w: tap(w, per_photo=2.5), TypeError, "per_photo must be an int, not float 2.5",
                 id="tap(per_photo=2.5)"),
    pytest.param(lambda w: w.nb.strongest_filters(w.layer_responses, -1), ValueError, "count must be >= 1, got -1",
                 id="strongest_filters(resp,-1)"),
    pytest.param(lambda w: w.nb.filters_that_fire(w.layer_responses, -1), ValueError, "count must be >= 1, got -1",
                 id="filters_that_fire(resp,-1)"),
    pytest.param(lambda w: w.nb.strongest_filters(w.layer_responses, 2.5), TypeError,
                 "count must be an int, not float 2.5", id="strongest_filters(resp,2.5)"),
    pytest.param(lambda w: w.nb.strongest_filters(w.layer_responses, "3"), TypeError,
                 "count must be an int, not str '3'", id="strongest_filters(resp,'3')"),
])
def test_bad_counts(world, no_work, call, error, text):
    check_refused(call, world, error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: tap(w, activations=w.block1_maps), ValueError,
                 r"activations must be photo_activations\(model, 'block3_conv1', photos\): photo 'coffee' needs "
                 r"maps of shape \(10, 16, 256\)", id="tap(activations=block1 maps)"),
    pytest.param(lambda w: tap(w, activations={}), ValueError,
                 r"activations must be photo_activations\(model, 'block3_conv1', photos\)", id="tap(activations={})"),
    pytest.param(lambda w: w.nb.strongest_filters(w.responses, 3), TypeError,
                 r"responses must be one layer's FilterResponses \(responses\[layer_name\]\), not dict",
                 id="strongest_filters(whole dict,3)"),
])
def test_bad_responses(world, no_work, call, error, text):
    check_refused(call, world, error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: w.nb.load_photos("cat"), TypeError,
                 r"names must be a list of photo names, e.g. \['cat'\], not str", id="load_photos('cat')"),
    *[pytest.param(lambda w, side=side: w.nb.load_photos(["cat"], max_side=side), ValueError,
                   f"max_side must be between 32 and 2048, got {side}", id=f"load_photos(max_side={side})")
      for side in (0, -5, 1)],
    pytest.param(lambda w: w.nb.load_photos(["cat"], max_side="96"), TypeError,
                 "max_side must be an int, not str '96'", id="load_photos(max_side='96')"),
    pytest.param(lambda w: w.nb.measure_photos(w.model, None), TypeError,
                 r"photos must be a list or dict of photos \(for one photo pass \[photo\]\), not NoneType",
                 id="measure_photos(None)"),
    pytest.param(lambda w: w.nb.measure_photos(w.model, [np.zeros((5000, 5000, 3), np.uint8)]), ValueError,
                 r"photo 'photo 0' is 5000 × 5000 px; each side must be (between )?32\D+2048 px",
                 id="measure_photos(5000x5000)"),
    pytest.param(lambda w: w.nb.photo_activations(w.model, "block3_conv1", [np.zeros((5000, 5000, 3), np.uint8)]),
                 ValueError, r"photo 'photo 0' is 5000 × 5000 px; each side must be (between )?4\D+2048 px",
                 id="photo_activations(5000x5000)"),
])
def test_bad_photos(world, no_work, call, error, text):
    check_refused(call, world, error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: vf(w, method="fourier", learning_rate=1e30), ValueError,
                 r"learning_rate must be > 0 and <= [0-9.]+ and finite, got 1e\+30", id="vf(fourier,lr=1e30)"),
    pytest.param(lambda w: vf(w, method="pixels", learning_rate=math.inf), ValueError,
                 "learning_rate must be > 0 and <= [0-9.]+ and finite, got inf", id="vf(pixels,lr=inf)"),
    pytest.param(lambda w: vf(w, method="fourier", learning_rate=math.inf), ValueError,
                 "learning_rate must be > 0 and <= [0-9.]+ and finite, got inf", id="vf(fourier,lr=inf)"),
    pytest.param(lambda w: vf(w, method="fourier", learning_rate=20.0), ValueError,  # saturates 45 % of the values
                 r"learning_rate must be > 0 and <= 4 and finite, got 20", id="vf(fourier,lr=20)"),
])
def test_bad_learning_rates(world, no_work, call, error, text):
    """inf used to fail only after the whole run; `no_work` fails the test if anything is rendered first."""
    world.nb.MADE.clear()
    check_refused(call, world, error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: kaa(w, transforms="no"), TypeError, "transforms must be True or False, not .*'no'",
                 id="kaa(transforms='no')"),
    pytest.param(lambda w: vf(w, on_step=5), TypeError, r"on_step must be a function \(step, scores, image\), not 5",
                 id="vf(on_step=5)"),
])
def test_bad_flags_and_callbacks(world, no_work, call, error, text):
    check_refused(call, world, error, text)


TOP = r"model 'vgg16' takes only 224 × 224-px images: use image_size=224"
NOT_KERAS = r"model must be a Keras model such as load_vgg16\(\)'s, not "


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: vf(w, model=w.top), ValueError, TOP, id="vf(<VGG16 include_top>)"),
    pytest.param(lambda w: w.nb.use_network(w.mobilenet, "caffee"), ValueError,
                 "preprocess must be one of 'caffe', 'tf', 'torch', 'none', not 'caffee'. Did you mean 'caffe'",
                 id="use_network(preprocess='caffee')"),
    pytest.param(lambda w: w.nb.layer_geometries("vgg"), TypeError, NOT_KERAS + ".*vgg", id="layer_geometries('vgg')"),
    pytest.param(lambda w: w.nb.layer_geometries(None), TypeError, NOT_KERAS + "None",
                 id="layer_geometries(None)"),
])
def test_bad_models(world, vgg16_with_top, mobilenet, no_work, call, error, text):
    check_refused(call, types.SimpleNamespace(**vars(world), top=vgg16_with_top, mobilenet=mobilenet), error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: kaa(w, method="bogus"), ValueError,
                 r"method must be one of 'pixels', 'pixels\+transforms', 'fourier-rgb', 'fourier', 'maco', not "
                 "'bogus'", id="kaa(method='bogus')"),
    pytest.param(lambda w: kaa(w, image_size=0), ValueError, "image_size must be >= 1, got 0", id="kaa(image_size=0)"),
    pytest.param(lambda w: kaa(w, seed=-1), ValueError, "seed must be between 0 and 2147483647, got -1",
                 id="kaa(seed=-1)"),
    pytest.param(lambda w: kaa(w, steps=0), ValueError, "steps must be between 1 and 10000, got 0",
                 id="kaa(steps=0)"),
    pytest.param(lambda w: w.nb.record_ascent(w.model, "block1_conv1", 0, frames=2, image_size=64, steps="2",
                                              method="pixels", seed=0), TypeError,
                 "steps must be an int, not str '2'", id="record_ascent(steps='2')"),
    pytest.param(lambda w: w.nb.randomized_copy(w.model, ["block5_conv3"], seed=2**70), ValueError,
                 f"seed must be between 0 and 2147483647, got {2**70}", id="randomized_copy(seed=2**70)"),
    pytest.param(lambda w: w.nb.randomized_copy(w.model, None), TypeError,
                 r"layer_names must be a list of conv layer names, e.g. \['block5_conv3'\], not None",
                 id="randomized_copy(None)"),
    pytest.param(lambda w: w.nb.conv_layer_table(w.model, "a"), TypeError, "image_size must be an int, not str 'a'",
                 id="conv_layer_table(model,'a')"),
])
def test_bad_settings_of_the_other_functions(world, no_work, call, error, text):
    check_refused(call, world, error, text)


PICTURES = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: w.nb.postprocess(PICTURES, clip_percent=60), ValueError,
                 "clip_percent must be from 0 to 50 .*got 60", id="postprocess(clip_percent=60)"),
    pytest.param(lambda w: w.nb.postprocess(PICTURES, clip_percent=-1), ValueError,
                 "clip_percent must be from 0 to 50 .*got -1", id="postprocess(clip_percent=-1)"),
    pytest.param(lambda w: w.nb.postprocess(PICTURES, clip_percent="1"), TypeError,
                 "clip_percent must be a number, not '1'", id="postprocess(clip_percent='1')"),
    pytest.param(lambda w: w.nb.postprocess(np.zeros((0, 8, 8, 3), np.float32)), ValueError,
                 "(empty|at least one)", id="postprocess(empty batch)"),
    pytest.param(lambda w: w.nb.postprocess("picture"), (TypeError, ValueError),
                 r"images must be (an array|\(n, H, W, 3\)), not .*picture", id="postprocess('picture')"),
])
def test_bad_pictures_to_postprocess(world, call, error, text):
    check_refused(call, world, error, text)


def dream(w, objective=None, photo=None, **options):
    """deep_dream(model, a photo, layer_objective('block3_conv3'), size=64, octaves=2, steps=1, ...), any replaced."""
    settings = dict(size=64, octaves=2, steps=1, learning_rate=0.006, seed=0)
    settings.update(options)
    return w.nb.deep_dream(w.model, w.photos["coffee"] if photo is None else photo,
                           w.nb.layer_objective("block3_conv3") if objective is None else objective, **settings)


def blend(w, first=1, second=2, count=3, **options):
    settings = dict(image_size=64, steps=1, method="pixels", seed=0)
    settings.update(options)
    return w.nb.visualize_blend(w.model, "block3_conv1", first, second, count, **settings)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: dream(w, objective="block3_conv3"), TypeError,
                 r"objective must be an Objective such as layer_objective\('block4_conv3'\), not 'block3_conv3'",
                 id="deep_dream(objective='block3_conv3')"),
    pytest.param(lambda w: dream(w, objective=w.nb.layer_objective("block3_poo")), ValueError,
                 "'block3_poo' is not a layer of 'vgg16'.*Did you mean 'block3_pool'",
                 id="deep_dream(layer_objective('block3_poo'))"),
    pytest.param(lambda w: dream(w, octaves=0), ValueError, "octaves must be between 1 and 8, got 0",
                 id="deep_dream(octaves=0)"),
    pytest.param(lambda w: dream(w, size=64, octaves=6), ValueError, "size=64 with octaves=6 starts at 12 px, too "
                 "small for block3_conv3: use a larger size or fewer octaves", id="deep_dream(size=64, octaves=6)"),
    pytest.param(lambda w: dream(w, learning_rate=5.0), ValueError, "learning_rate must be > 0 and <= 0.1",
                 id="deep_dream(learning_rate=5.0)"),
    pytest.param(lambda w: dream(w, objective=w.nb.filter_objective("block3_conv3"), filter_index=256),
                 ValueError, "a filter index of block3_conv3 must be between 0 and 255, got 256",
                 id="deep_dream(filter_index=256)"),
    pytest.param(lambda w: dream(w, photo=w.photos["coffee"] / 255.0), TypeError,
                 "photo 'photo 0' must be a uint8 RGB array", id="deep_dream(photo as floats)"),
    pytest.param(lambda w: blend(w, first=3, second=3), ValueError,
                 "first and second must be two different filters, not 3 twice", id="visualize_blend(3, 3)"),
    pytest.param(lambda w: blend(w, count=1), ValueError, "count must be >= 2, got 1", id="visualize_blend(count=1)"),
    pytest.param(lambda w: blend(w, second=256), ValueError,
                 "a filter index of block3_conv1 must be between 0 and 255, got 256", id="visualize_blend(second=256)"),
    pytest.param(lambda w: w.nb.patches_across_range(w.model, "block3_conv1", 0, w.photos, [1.5]), ValueError,
                 r"quantiles must be a list of numbers from 0 to 1, such as \[1.0, 0.5\], not \[1.5\]",
                 id="patches_across_range([1.5])"),
    pytest.param(lambda w: w.nb.patches_across_range(w.model, "block3_conv1", 0, w.photos, 0.5), ValueError,
                 "quantiles must be a list of numbers", id="patches_across_range(0.5)"),
])
def test_bad_arguments_of_the_other_objectives(world, no_work, call, error, text):
    check_refused(call, world, error, text)


@pytest.mark.parametrize("call, error, text", [
    pytest.param(lambda w: w.nb.measure_objective(w.model, "block3_conv1", [0], np.zeros((1, 32, 32, 3), np.uint8)),
                 TypeError, r"objective must be an Objective such as channel_objective\('block4_conv3'\), not "
                 "'block3_conv1'", id="measure_objective('block3_conv1')"),
    pytest.param(lambda w: w.nb.measure_objective(w.model, w.nb.channel_objective("block3_conv1"), [0],
                                                  np.zeros((1, 32, 32, 3), np.float32)), TypeError,
                 r"pictures must be uint8 RGB \(n, H, W, 3\) with one target each, not float32 of shape "
                 r"\(1, 32, 32, 3\) for targets \[0\]", id="measure_objective(float pictures)"),
    pytest.param(lambda w: w.nb.measure_objective(w.model, w.nb.channel_objective("block3_conv1"), [0, 1],
                                                  np.zeros((1, 32, 32, 3), np.uint8)), TypeError,
                 r"with one target each, not uint8 of shape .* for targets \[0, 1\]",
                 id="measure_objective(2 targets, 1)"),
    pytest.param(lambda w: w.nb.measure_objective(w.model, w.nb.channel_objective("block3_conv1"), [256],
                                                  np.zeros((1, 32, 32, 3), np.uint8)), ValueError,
                 "a filter index of block3_conv1 must be between 0 and 255, got 256", id="measure_objective([256])"),
    pytest.param(lambda w: w.nb.measure_objective(w.model, w.nb.channel_objective("block3_conv1"), [0],
                                                  np.zeros((1, 8, 8, 3), np.uint8)), ValueError,
                 "image_size=8 is too small for block3_conv1", id="measure_objective(8-px picture)"),
])
def test_bad_arguments_to_measure_objective(world, no_work, call, error, text):
    check_refused(call, world, error, text)
