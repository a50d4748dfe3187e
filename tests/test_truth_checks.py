"""Checks that the pictures are true (section 8): the known answer of block1_conv1, the randomised copy of the
network, facets of one filter, and the receptive field of the centre unit."""

import re

import numpy as np
import pytest
import tensorflow as tf

NAIVE = dict(steps=16, seed=0)  # the naive known-answer runs: its agreement is already ~1.0 after 8 steps


def first_layer_filters(nb, model):
    return list(range(nb.check_layer(model, "block1_conv1").filters))


def test_the_kernel_optimum_beats_every_other_input(nb, vgg16):
    """Through the network itself (RGB → BGR input, the real kernel, before the ReLU): no random 3 × 3 patch in
    [0, 1] drives the unit harder than the exact optimum, and the optimum beats its own colour-swapped version."""
    rng = np.random.default_rng(0)
    key = "block1_conv1:pre_relu"
    extract = nb.feature_extractor(vgg16, key)  # applies to_model_input itself
    for filter_index in [0, 17, 42, 63]:
        optimum = nb.kernel_optimum(vgg16, filter_index)
        assert optimum.shape == (3, 3, 3) and set(np.unique(optimum)) <= {0.0, 1.0}
        candidates = np.concatenate([optimum[None], optimum[None, :, :, ::-1], rng.random((256, 3, 3, 3))])
        units = extract(tf.constant(candidates, tf.float32))[key].numpy()[:, 1, 1, filter_index]
        assert units[0] >= units[1:].max(), (filter_index, units[0], units[1:].max())


@pytest.mark.parametrize("image_size, seed", [(16, 0), (32, 42), (57, 7)])
def test_the_naive_method_finds_the_known_answer(nb, vgg16_fast, image_size, seed):
    agreement, images = nb.known_answer_agreement(vgg16_fast, "pixels", image_size=image_size, seed=seed,
                                                  steps=NAIVE["steps"])
    assert images.shape == (64, image_size, image_size, 3) and images.dtype == np.float32
    assert agreement.shape == (64,)
    assert agreement.mean() >= 0.95, (agreement.mean(), agreement.min())


def test_the_agreement_measure_catches_wrong_wiring(nb, vgg16_fast):
    """Scored against the kernel with its channels in VGG16's BGR order, or flipped as a true convolution
    would, the same naive images fall well below the threshold; the report prints these controls."""
    filters = first_layer_filters(nb, vgg16_fast)
    agreement, images = nb.known_answer_agreement(vgg16_fast, "pixels", image_size=16, **NAIVE)
    signs = np.sign(nb.centre_patches(vgg16_fast, images) - 0.5)
    optima = np.stack([nb.kernel_optimum(vgg16_fast, i) for i in filters]) - 0.5
    right, rgb_for_bgr, flipped = ((signs == np.sign(o)).mean() for o in (optima, optima[..., ::-1],
                                                                          optima[:, ::-1, ::-1]))
    assert right >= 0.95 and right == pytest.approx(agreement.mean())
    assert rgb_for_bgr < 0.93 and flipped < 0.7, (rgb_for_bgr, flipped)
    assert np.allclose(nb.sign_agreement(vgg16_fast, filters, images), (signs == np.sign(optima)).mean(axis=(1, 2, 3)))
    report = nb.known_answer_report(vgg16_fast, {"pixels (naive)": agreement, "again": agreement}, images)
    assert f"RGB for BGR {rgb_for_bgr:.3f}, kernel flipped {flipped:.3f}" in report
    assert re.search(rf"pixels \(naive\)\s+{agreement.mean():.3f} \({agreement.min():.3f}\)", report), report


def test_the_transformations_not_the_fourier_image_cost_the_agreement(nb, vgg16_fast):
    robust, _ = nb.known_answer_agreement(vgg16_fast, "fourier", image_size=32, steps=48, seed=0)
    still, _ = nb.known_answer_agreement(vgg16_fast, "fourier", image_size=32, steps=48, seed=0, transforms=False)
    assert still.mean() >= 0.85 and robust.mean() < still.mean() - 0.15, (robust.mean(), still.mean())


@pytest.mark.parametrize("model_name", ["vgg16", "vgg16_fast"])
def test_a_randomized_copy_changes_exactly_the_named_layers(nb, request, model_name):
    model = request.getfixturevalue(model_name)
    before = {layer.name: [w.copy() for w in layer.get_weights()] for layer in model.layers}
    named = [f"block{block}_conv{conv}" for block in (4, 5) for conv in (1, 2, 3)]
    global_policy = nb.keras.config.dtype_policy().name
    copy = nb.randomized_copy(model, named, seed=3)
    assert nb.keras.config.dtype_policy().name == global_policy
    assert copy is not model
    assert [type(layer) for layer in copy.layers] == [type(layer) for layer in model.layers]
    unnamed = lambda layer: {k: v for k, v in layer.get_config().items() if k != "name"}  # noqa: E731
    assert unnamed(copy.layers[0]) == unnamed(model.layers[0])  # the input (Keras numbers its name)
    assert [layer.get_config() for layer in copy.layers[1:]] == [layer.get_config() for layer in model.layers[1:]]
    assert [layer.dtype_policy.name for layer in copy.layers] == [layer.dtype_policy.name for layer in model.layers]
    assert copy.dtype_policy.name == model.dtype_policy.name
    for layer, copied in zip(model.layers, copy.layers, strict=True):
        kept = [np.array_equal(a, b) for a, b in zip(layer.get_weights(), copied.get_weights(), strict=True)]
        if layer.name in named:
            assert not kept[0], layer.name  # a fresh kernel
            bound = np.sqrt(6 / (9 * (layer.input.shape[-1] + layer.filters)))  # Glorot-uniform's limit
            assert np.abs(copied.get_weights()[0]).max() <= bound
            assert not np.any(copied.get_weights()[1])  # the bias initialiser: zeros
        else:
            assert all(kept), layer.name
        assert all(np.array_equal(a, b) for a, b in zip(before[layer.name], layer.get_weights(), strict=True))
    again = nb.randomized_copy(model, named[-1:], seed=3)  # seeded: a layer gets the same weights in every copy
    assert np.array_equal(again.get_layer(named[-1]).get_weights()[0], copy.get_layer(named[-1]).get_weights()[0])
    other = nb.randomized_copy(model, named[-1:], seed=4)
    assert not np.array_equal(other.get_layer(named[-1]).get_weights()[0], copy.get_layer(named[-1]).get_weights()[0])


@pytest.mark.first_environment  # CI's other environments run this code through nbval's smoke run
def test_a_randomized_copy_draws_pictures_and_leaves_the_layers_below_alone(nb, vgg16):
    """The copy is a model every entry point takes (its input read as Keras 3.0 builds it), and randomising
    block 5 changes block 5's pictures while block 4's stay exactly as the trained network's."""
    copy = nb.randomized_copy(vgg16, ["block5_conv1", "block5_conv2", "block5_conv3"], seed=1)
    draw = lambda model, layer: nb.visualize_filters(model, layer, [0, 1], method="fourier", steps=3,  # noqa: E731
                                                     image_size=80, seed=0, progress=False, floats=True)
    assert np.array_equal(draw(copy, "block4_conv3"), draw(vgg16, "block4_conv3"))
    assert np.abs(draw(copy, "block5_conv3") - draw(vgg16, "block5_conv3")).max() > 0.05
    assert set(nb.photo_activations(copy, "block5_conv3", {"grey": np.full((80, 80, 3), 128, np.uint8)})) == {"grey"}


@pytest.mark.parametrize("layer_names, error, message", [
    ("block5_conv3", TypeError, "layer_names must be a list"),
    (["block5_conv4"], ValueError, "Did you mean 'block5_conv3'"),
    (["block5_pool"], ValueError, "only convolution layers have weights to draw afresh, not block5_pool"),
])
def test_randomized_copy_rejects_bad_layer_names(nb, vgg16_fast, layer_names, error, message):
    with pytest.raises(error, match=re.escape(message)):
        nb.randomized_copy(vgg16_fast, layer_names)


def test_randomisation_scores_compare_each_picture_with_the_trained_one_of_its_filter(nb, vgg16_fast):
    """The trained pictures' texture cosine with themselves is 1, a copy of them scores exactly as they do, and a
    set whose pictures are swapped between filters drives the trained filters less and shares less texture."""
    layer, filters = "block3_conv1", [5, 17, 40]
    trained = nb.visualize_filters(vgg16_fast, layer, filters, method="fourier", steps=12, image_size=64, seed=0,
                                   progress=False)
    swapped = np.roll(trained, 1, axis=0)
    scores = nb.randomisation_scores(vgg16_fast, layer, filters, {"trained": trained, "copy": trained.copy(),
                                                                   "swapped": swapped}, "block2_conv2")
    assert list(scores["trained"]) == ["trained filter", "fine grain", "saturation", "texture"]
    np.testing.assert_allclose(scores["trained"]["texture"], 1.0, atol=1e-5)
    for name in scores["trained"]:
        np.testing.assert_allclose(scores["copy"][name], scores["trained"][name], rtol=1e-6)
    np.testing.assert_allclose(scores["trained"]["trained filter"],
                               nb.measure_activation(vgg16_fast, layer, filters, trained), rtol=1e-6)
    assert (scores["swapped"]["trained filter"] < scores["trained"]["trained filter"]).all()
    assert (scores["swapped"]["texture"] < 0.999).all()
    np.testing.assert_allclose(scores["swapped"]["fine grain"], np.roll(scores["trained"]["fine grain"], 1),
                               rtol=1e-6)


def test_facets_differ_from_each_other_and_each_drives_its_filter(nb, vgg16_fast):
    layer_name, filter_index = "block3_conv3", 2
    options = dict(method="fourier", image_size=48, steps=24, seed=0)
    ordinary = nb.visualize_facets(vgg16_fast, layer_name, filter_index, 3, diversity_weight=0.0, **options)
    facets = nb.visualize_facets(vgg16_fast, layer_name, filter_index, 3, diversity_weight=0.8, **options)
    assert facets.shape == (3, 48, 48, 3) and facets.dtype == np.uint8
    single = nb.measure_activation(vgg16_fast, layer_name, [filter_index], ordinary[:1])[0]
    (activations, likeness), (_, ordinary_likeness) = (nb.facet_report(vgg16_fast, layer_name, filter_index, p)
                                                       for p in (facets, ordinary))
    assert np.all(activations >= 0.5 * single), (activations, single)
    assert likeness < ordinary_likeness - 0.1, (likeness, ordinary_likeness)
    differences = [np.abs(facets[i].astype(int) - facets[j].astype(int)).mean() for i, j in [(0, 1), (0, 2), (1, 2)]]
    assert min(differences) > 20, differences


def test_facet_report_measures_gram_cosine_at_the_block_below(nb, vgg16_fast):
    """Identical pictures are alike (cosine 1); the cosine is the one of the Gram matrices at `block_below`."""
    last_of_block = {block: f"block{block}_conv{2 if block < 3 else 3}" for block in range(1, 6)}
    for name in nb.conv_layer_names(vgg16_fast):  # block 1: its first layer; else the last layer of the block below
        block = int(name[len("block")])
        assert nb.block_below(vgg16_fast, name) == ("block1_conv1" if block == 1 else last_of_block[block - 1]), name
    picture = np.random.default_rng(0).integers(0, 256, (48, 48, 3), dtype=np.uint8)
    activations, likeness = nb.facet_report(vgg16_fast, "block3_conv3", 2, np.stack([picture, picture]))
    assert likeness == pytest.approx(1.0, abs=1e-5) and activations[0] == pytest.approx(activations[1])
    other = np.full_like(picture, 128)
    other[::4] = 255  # horizontal stripes: another texture
    _, apart = nb.facet_report(vgg16_fast, "block3_conv3", 2, np.stack([picture, other]))
    assert apart < 0.99


def test_the_first_ordinary_facet_is_the_single_picture(nb, vgg16, monkeypatch):
    monkeypatch.setattr(nb, "MADE", {})  # the single picture is made here, not remembered
    options = dict(method="fourier", image_size=64, steps=8, seed=5)
    facets = nb.visualize_facets(vgg16, "block4_conv3", 7, 2, diversity_weight=0.0, **options)
    single = nb.visualize_filters(vgg16, "block4_conv3", [7], progress=False, **options)[0]
    assert np.array_equal(facets[0], single), np.abs(facets[0].astype(int) - single.astype(int)).max()
    assert np.abs(facets[1].astype(int) - single.astype(int)).mean() > 10  # another start, another picture


@pytest.mark.parametrize("arguments, error, message", [
    (dict(facets=1), ValueError, "facets must be >= 2"),
    (dict(facets=2.0), TypeError, "facets"),
    (dict(facets=True), TypeError, "facets"),
    (dict(layer_name="block4_conv4"), ValueError, "Did you mean 'block4_conv3'"),
    (dict(layer_name="block4_poool"), ValueError, "is not a layer of 'vgg16'"),
    (dict(filter_index=512), ValueError, "between 0 and 511, got 512"),
    (dict(filter_index=[3]), TypeError, "[3]"),
    (dict(image_size=32), ValueError, "image_size >= 40"),
    (dict(steps=0), ValueError, "steps"),
    (dict(seed=1.5), TypeError, "seed"),
    (dict(seed=-2), ValueError, "seed must be between 0"),
    (dict(method="fourrier"), ValueError, "Did you mean 'fourier'"),
    (dict(diversity_weight=-1.0), ValueError, "diversity_weight"),
    (dict(diversity_weight=float("nan")), ValueError, "diversity_weight"),
    (dict(diversity_weight="1"), TypeError, "diversity_weight"),
])
def test_visualize_facets_rejects_bad_input_clearly(nb, vgg16_fast, arguments, error, message):
    call = dict(layer_name="block4_conv3", filter_index=3, facets=2, image_size=64, steps=2,
                method="fourier", seed=0, diversity_weight=0.8)
    call.update(arguments)
    with pytest.raises(error, match=re.escape(message)):
        nb.visualize_facets(vgg16_fast, call.pop("layer_name"), call.pop("filter_index"), call.pop("facets"), **call)


@pytest.mark.parametrize("layer_name, image_size", [("block2_conv2", 41), ("block3_conv3", 96), ("block4_conv3", 96)])
def test_the_centre_unit_sees_exactly_its_box(nb, vgg16, layer_name, image_size):
    """The gradient of the centre unit (`neuron_objective`) with respect to the image is zero outside
    `centre_unit_box` and reaches its edges."""
    top, left, side = nb.centre_unit_box(vgg16, layer_name, image_size)
    assert side == nb.layer_geometries(vgg16)[layer_name].field
    objective = nb.neuron_objective(layer_name)
    extract = nb.feature_extractor(vgg16, *objective.layers)
    image = tf.Variable(np.random.default_rng(0).random((1, image_size, image_size, 3), np.float32))
    with tf.GradientTape() as tape:
        unit = objective(extract(image), tf.constant([0]))
    rows, columns = np.nonzero(np.abs(tape.gradient(unit, image).numpy()[0]).sum(axis=2))
    assert (rows.min(), rows.max()) == (max(top, 0), min(top + side, image_size) - 1)
    assert (columns.min(), columns.max()) == (max(left, 0), min(left + side, image_size) - 1)
