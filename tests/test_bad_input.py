"""Every mistake a reader can make with the notebook's functions gets a clear message."""

import keras
import numpy as np
import pytest


def visualize(nb, model, layer_name="block3_conv1", filter_indices=(0,), **options):
    settings = dict(image_size=64, steps=1, progress=False)
    settings.update(options)
    return nb.visualize_filters(model, layer_name, list(filter_indices)
                                if isinstance(filter_indices, tuple) else filter_indices, **settings)


def test_unknown_layer_lists_the_conv_layers_and_suggests_the_closest(nb, vgg16):
    with pytest.raises(ValueError) as error:
        visualize(nb, vgg16, layer_name="blok3_conv1")
    message = str(error.value)
    assert "Did you mean 'block3_conv1'" in message
    assert "block1_conv1" in message and "block5_conv3" in message


def test_a_layer_that_is_not_a_convolution_is_refused(nb, vgg16):
    with pytest.raises(ValueError, match="block2_pool.*MaxPooling2D.*not a convolution"):
        visualize(nb, vgg16, layer_name="block2_pool")


def test_layer_name_must_be_a_string(nb, vgg16):
    with pytest.raises(TypeError, match="layer_name must be a string"):
        visualize(nb, vgg16, layer_name=3)


@pytest.mark.parametrize("filter_indices, error, text", [
    ([256], ValueError, "out of range: block3_conv1 has 256 filters, numbered 0 to 255"),
    ([-1], ValueError, "out of range"),
    ([], ValueError, "empty"),
    ([2, 5, 2], ValueError, r"lists \[2\] more than once"),
    (4, TypeError, r"list of ints, e.g. \[4\]"),
    ([1.5], TypeError, "must be ints"),
    (["0"], TypeError, "must be ints"),
    ([True], TypeError, "must be ints"),
    (None, TypeError, "list of ints"),
])
def test_bad_filter_indices(nb, vgg16, filter_indices, error, text):
    with pytest.raises(error, match=text):
        visualize(nb, vgg16, filter_indices=filter_indices)


def test_numpy_integer_indices_are_fine(nb, vgg16):
    assert visualize(nb, vgg16, filter_indices=list(np.arange(2))).shape == (2, 64, 64, 3)


def test_an_image_too_small_for_the_layer_names_the_smallest_size(nb, vgg16):
    with pytest.raises(ValueError, match="too small for block5_conv3.*image_size >= 80"):
        visualize(nb, vgg16, layer_name="block5_conv3", image_size=64)
    assert nb.minimum_image_size(vgg16, "block1_conv1") == 8


@pytest.mark.parametrize("options, error, text", [
    (dict(steps=0), ValueError, "steps must be > 0"),
    (dict(steps=2.5), TypeError, "steps must be a positive int"),
    (dict(learning_rate=0), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate=-0.1), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate="0.1"), TypeError, "learning_rate must be a positive number"),
    (dict(image_size=0), ValueError, "image_size must be > 0"),
    (dict(image_size="64"), TypeError, "image_size must be a positive int"),
    (dict(seed=1.0), TypeError, "seed must be an int"),
    (dict(seed=-1), ValueError, "seed must be ≥ 0"),
    (dict(image_size=100000), ValueError, r"image_size=100000 is too large: one picture for block3_conv1 would need "
                                          r"about \d+ GiB; the largest that fits the 4 GiB budget is about \d+"),
    (dict(method="lucid"), ValueError, r"method must be one of \['fourier', 'fourier-rgb', 'maco', 'pixels', "
                                    r"'pixels\+transforms'\]"),
    (dict(objective="channel"), ValueError, r"objective must be one of \['filter', 'neuron'\]"),
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


@pytest.mark.parametrize("weights, precision, error", [(3, "auto", TypeError), ("imagenet", "float64", ValueError)])
def test_bad_load_arguments(nb, weights, precision, error):
    with pytest.raises(error):
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
    (np.zeros((2, 8, 8)), r"shape \(n, H, W, 3\)"),
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
    ("vgg16", TypeError, "model must be the Keras VGG16 model from load_vgg16"),
    (None, TypeError, "model must be the Keras VGG16 model"),
    (keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, name="block1_conv1")]), ValueError,
     "model must be VGG16.*lacks its convolution layers block1_conv2"),
])
def test_a_model_that_is_not_vgg16_is_refused(nb, model, error, text):
    with pytest.raises(error, match=text):
        nb.visualize_filters(model, "block1_conv1", [0], image_size=32, steps=1, progress=False)
    with pytest.raises(error, match=text):
        nb.measure_photos(model, [np.zeros((40, 40, 3), np.uint8)])


def test_the_largest_image_size_named_in_the_error_fits(nb, vgg16):
    with pytest.raises(ValueError) as error:
        visualize(nb, vgg16, layer_name="block5_conv3", image_size=5000)
    largest = int(str(error.value).rsplit(" ", 1)[1])
    budget = nb.MEMORY_BUDGET_GB * 2**30
    assert nb.bytes_per_image(vgg16, "block5_conv3", largest) <= budget
    assert nb.bytes_per_image(vgg16, "block5_conv3", largest + 16) > budget
