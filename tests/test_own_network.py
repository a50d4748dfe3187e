"""Any Keras CNN, not only VGG16: four families of Keras applications (random weights: nothing to download), a small
32-px network with batch normalisation, a grey one; receptive fields against the input gradient's support; and a
clear error for each model that cannot work."""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

FAMILIES = {  # a Keras application, how it is built here, and a layer in its first stages
    "ResNet50V2": (keras.applications.ResNet50V2, {}, "conv3_block1_1_relu"),  # any input size
    "MobileNetV2": (keras.applications.MobileNetV2, {"input_shape": (64, 64, 3)}, "block_3_expand_relu"),
    "EfficientNetB0": (keras.applications.EfficientNetB0, {}, "block2a_expand_activation"),  # rescales inside
    "ConvNeXtTiny": (keras.applications.ConvNeXtTiny, {"input_shape": (64, 64, 3)},
                     "convnext_tiny_stage_1_block_1_gelu"),  # nested blocks, layer normalisation, raw additions
}
SETTINGS = dict(method="fourier", steps=24, seed=0, progress=False)


@pytest.fixture(scope="module")
def applications():
    keras.utils.set_random_seed(0)  # the same random weights in every run
    return {family: build(weights=None, include_top=False, **options)
            for family, (build, options, _) in FAMILIES.items()}


def small_cnn(channels=3, name="small_cnn"):
    """A CIFAR-sized network: 32-px input, convolutions (one dilated) with batch normalisation, a classifier head."""
    layers = keras.layers
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((32, 32, channels)), layers.Conv2D(16, 3, padding="same", name="conv1"),
        layers.BatchNormalization(name="bn1"), layers.ReLU(name="relu1"), layers.MaxPooling2D(name="pool1"),
        layers.Conv2D(32, 3, padding="same", dilation_rate=2, activation="relu", name="conv2"),
        layers.BatchNormalization(name="bn2"),
        layers.GlobalAveragePooling2D(name="pool"), layers.Dense(10, name="classes")], name=name)
    bn = model.get_layer("bn1")  # statistics that are not the identity, so that inference mode shows
    bn.moving_mean.assign(np.full(16, -0.3, np.float32))  # negative: a grey image still passes relu1
    bn.moving_variance.assign(np.full(16, 4.0, np.float32))
    return model


def start_and_picture_activations(nb, model, layer_name, filters, size, steps=SETTINGS["steps"]):
    """What the ascent maximises (`filter_objective`, the filter's mean activation once a quarter of its map fires,
    whatever its activation function) on the filters' random starts (unstretched) and on their pictures."""
    field = nb.layer_geometries(model)[layer_name].field
    start = nb.METHODS["fourier"].image(filters, size, SETTINGS["seed"], field=field)().numpy()
    floats = nb.visualize_filters(model, layer_name, filters, image_size=size, floats=True,
                                  **{**SETTINGS, "steps": steps})
    measure = functools.partial(nb.measure_objective, model, nb.filter_objective(layer_name), filters)
    unstretched = lambda images: np.rint(images * 255).astype(np.uint8)  # noqa: E731  (a stretch drives any filter)
    return measure(unstretched(start)), measure(unstretched(floats)), nb.postprocess(floats)


@pytest.mark.first_environment  # 40 s; the other environments run these networks through the lighter tests below
@pytest.mark.parametrize("family", FAMILIES)
def test_a_keras_application_gets_pictures_that_drive_its_filters(nb, applications, family):
    model, layer_name = applications[family], FAMILIES[family][2]
    before, after, pictures = start_and_picture_activations(nb, model, layer_name, [0, 1, 2], 64)
    assert pictures.shape == (3, 64, 64, 3)
    assert (after > 1.5 * before).all() and np.median(after / np.maximum(before, 1e-6)) > 3, (family, before, after)


@pytest.mark.parametrize("channels", [3, 1])
def test_a_small_network_with_batch_normalisation_gets_pictures(nb, channels):
    model = nb.use_network(small_cnn(channels, name=f"small_cnn_{channels}"), preprocess="tf")
    before, after, _ = start_and_picture_activations(nb, model, "conv2", [0, 1, 2], 32, steps=48)
    assert (after > 1.5 * before).all() and np.median(after / np.maximum(before, 1e-6)) > 2, (before, after)
    naive = nb.visualize_filter_naively(model, "conv2", 0, 32, 2, 5.0, 0)[1]  # the Keras example's recipe
    assert np.array_equal(naive[..., 0], naive[..., 2]) == (channels == 1)  # grey as a grey network sees it
    with pytest.raises(ValueError, match=f"model 'small_cnn_{channels}' takes only 32 × 32-px images: use "
                                         "image_size=32"):
        nb.visualize_filters(model, "conv2", [0], image_size=64, **SETTINGS)


def test_batch_normalisation_runs_in_inference_mode_and_the_convention_is_applied(nb):
    model = nb.use_network(small_cnn(name="small_cnn_bn"), preprocess="tf")
    images = tf.random.stateless_uniform((4, 32, 32, 3), seed=(3, 4))
    maps = nb.feature_extractor(model, "bn1")(images)["bn1"].numpy()
    reference = keras.Model(model.inputs[0], model.get_layer("bn1").output)(images * 2.0 - 1.0, training=False)
    np.testing.assert_allclose(maps, reference.numpy(), rtol=1e-5, atol=1e-5)
    grey = nb.use_network(small_cnn(1, name="small_cnn_grey"), preprocess="tf")
    grey_maps = nb.feature_extractor(grey, "conv1")(images)["conv1"].numpy()
    own = keras.Model(grey.inputs[0], grey.get_layer("conv1").output)(
        tf.reduce_mean(images * 2.0 - 1.0, axis=-1, keepdims=True))
    np.testing.assert_allclose(grey_maps, own.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("family, convention", [("ResNet50V2", "tf"), ("MobileNetV2", "tf"),
                                                ("EfficientNetB0", "none"), ("ConvNeXtTiny", "none")])
def test_a_keras_applications_convention_is_known_from_its_name(nb, applications, family, convention):
    assert nb.input_convention(applications[family]) == convention


def test_the_conventions_map_rgb_as_keras_preprocessing_does(nb):
    rgb = np.random.default_rng(0).random((2, 8, 8, 3)).astype(np.float32)
    apps = keras.applications
    for convention, preprocess in [("caffe", apps.vgg16.preprocess_input), ("tf", apps.mobilenet_v2.preprocess_input),
                                   ("torch", apps.densenet.preprocess_input)]:
        expected = preprocess(rgb.copy() * 255.0)
        np.testing.assert_allclose(nb.INPUT_CONVENTIONS[convention](tf.constant(rgb)).numpy(), expected,
                                   rtol=1e-4, atol=1e-3, err_msg=convention)


def reach_of(nb, model, layer_name, size, row, column):
    """Where the input gradient of unit (row, column), summed over its filters, is non-zero: a boolean image."""
    image = tf.Variable(tf.random.stateless_uniform((4, size, size, 3), seed=(1, 2)))
    key = f"{layer_name}:pre_relu"  # the unit's own activation does not gate the gradient
    with tf.GradientTape() as tape:
        unit = tf.reduce_sum(nb.feature_extractor(model, key)(image)[key][:, row, column, :])
    return np.abs(tape.gradient(unit, image).numpy()).sum(axis=(0, 3)) > 0


@pytest.mark.parametrize("family, layer_name", [
    ("ResNet50V2", "conv2_block1_2_conv"), ("ResNet50V2", "conv3_block1_1_relu"),
    ("MobileNetV2", "block_3_expand_relu"),
    ("MobileNetV2", "block_2_add"), ("EfficientNetB0", "block1a_activation"),
    ("ConvNeXtTiny", "convnext_tiny_stage_1_block_0_depthwise_conv"), ("small", "conv2")])
def test_the_receptive_field_is_where_the_input_gradient_reaches(nb, applications, family, layer_name):
    model = nb.use_network(small_cnn(name="small_cnn_field"), "tf") if family == "small" else applications[family]
    size = 32 if family == "small" else 64
    side = nb.feature_map_side(model, layer_name, size)
    reach = reach_of(nb, model, layer_name, size, side // 2, side // 2)
    top, left, field = nb.receptive_box(nb.layer_geometries(model)[layer_name], side // 2, side // 2)
    expected = np.zeros_like(reach)
    expected[max(top, 0):top + field, max(left, 0):left + field] = True
    assert field > 1 and np.array_equal(reach, expected), (family, layer_name, top, left, field)


def test_the_feature_maps_and_dataset_examples_of_a_network_with_a_fixed_size(nb):
    model = nb.use_network(small_cnn(name="small_cnn_photos"), "tf")
    photos = nb.load_photos(["coffee", "chelsea"], max_side=100)
    maps = nb.photo_activations(model, "conv2", photos)
    assert {name: m.shape for name, m in maps.items()} == {"coffee": (16, 16, 32), "chelsea": (16, 16, 32)}
    patches = nb.top_activating_patches(model, "conv2", 0, photos, count=2, activations=maps)
    field = nb.layer_geometries(model)["conv2"].field
    assert len(patches) == 2 and all(p.pixels.shape == (field, field, 3) for p in patches)
    assert set(nb.measure_photos(model, photos, layer_names=["relu1", "conv2"])) == {"relu1", "conv2"}


def test_a_small_network_gets_facets_pushed_apart_at_its_layer_below(nb):
    model = nb.use_network(small_cnn(name="small_cnn_facets"), "tf")
    assert nb.block_below(model, "conv2") == "conv1" and nb.block_below(model, "conv1") == "conv1"
    options = dict(image_size=32, method="fourier", steps=24, seed=0)
    ordinary = nb.visualize_facets(model, "conv2", 1, 3, diversity_weight=0.0, **options)
    facets = nb.visualize_facets(model, "conv2", 1, 3, diversity_weight=0.8, **options)
    assert facets.shape == (3, 32, 32, 3)
    assert nb.facet_report(model, "conv2", 1, facets)[1] < nb.facet_report(model, "conv2", 1, ordinary)[1]


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__(name="subclassed")
        self.convolution = keras.layers.Conv2D(4, 3)

    def call(self, images):
        return self.convolution(images)


@pytest.mark.parametrize("make, error, text", [
    (lambda: Subclassed(), ValueError, "model 'subclassed' has no graph of layers to look into"),
    (lambda: keras.Sequential([keras.layers.Conv2D(4, 3)], name="never_built"), ValueError,
     "model 'never_built' has no graph of layers to look into: build a Sequential model on keras.Input"),
    (lambda: keras.Sequential([keras.Input((10,)), keras.layers.Dense(3)], name="tabular"), ValueError,
     r"model must take one batch of square images \(n, side, side, 1 or 3 channels\), not \[\(None, 10\)\]"),
    (lambda: keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3)], name="mine"), ValueError,
     r"the input convention of model 'mine' is unknown: name it with use_network\(model, preprocess=\.\.\.\)"),
])
def test_a_model_that_cannot_work_gets_a_clear_error(nb, make, error, text):
    with pytest.raises(error, match=text):
        nb.visualize_filters(make(), "conv2d", [0], image_size=16, **SETTINGS)


def test_a_layer_without_feature_maps_is_refused_with_the_valid_names(nb):
    model = nb.use_network(small_cnn(name="small_cnn_names"), "tf")
    with pytest.raises(ValueError, match="'pool' is not a layer of 'small_cnn_names' whose output is a feature map. "
                                         "Did you mean 'pool1'.*convolution layers are: conv1, conv2"):
        nb.visualize_filters(model, "pool", [0], image_size=32, **SETTINGS)
    with pytest.raises(ValueError, match="cannot be traced through layer 'up'"):
        nb.layer_geometries(nb.use_network(keras.Sequential(
            [keras.Input((8, 8, 3)), keras.layers.UpSampling2D(name="up"), keras.layers.Conv2D(2, 3)]), "tf"))


@pytest.fixture(scope="module")
def expression_network(nb):
    """Section 11's network: fetched from the package index once, then read from ~/.keras/models."""
    return nb.load_expression_network()


def test_the_expression_network_is_read_with_its_convention_and_its_geometry(nb, expression_network):
    model = expression_network
    assert tuple(model.inputs[0].shape) == (None, 64, 64, 1) and nb.input_convention(model) == "tf"
    assert nb.layer_geometries(model)["activation_6"] == (63, 8, 9.0)
    with pytest.raises(ValueError, match="too small for add_4: its feature map would keep no pixel inside the "
                                         "2-pixel border. Choose a layer nearer the input"):
        nb.visualize_filters(model, "add_4", [0], image_size=64, **SETTINGS)


def test_the_expression_network_gets_grey_pictures_that_are_not_flat(nb, expression_network):
    """Judged before the contrast stretch: each picture spreads at least twice as far as its random start."""
    model, layer_name, filters = expression_network, "activation_6", [0, 1, 2, 3]
    floats = nb.visualize_filters(model, layer_name, filters, image_size=64, floats=True,
                                  **{**SETTINGS, "steps": 48})
    start = nb.METHODS["fourier"].image(filters, 64, 0, field=63)().numpy().mean(axis=-1)
    assert np.array_equal(floats[..., 0], floats[..., 2])  # shown as the grey the network sees
    assert (floats.std(axis=(1, 2, 3)) > 2 * start.std(axis=(1, 2))).all()
