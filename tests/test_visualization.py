"""Real properties of the notebook's functions, checked with real VGG16 weights."""

import numpy as np
import pytest


def start_pictures(nb, method, filter_indices, size, seed):
    """The random starting images of a method, post-processed like the results."""
    return nb.postprocess(nb.PARAMETERIZATIONS[method](filter_indices, size, seed)().numpy())


@pytest.mark.parametrize("layer_name, filter_indices", [
    ("block3_conv1", [0, 5, 10, 200]),
    ("block4_conv3", [0, 1, 2]),
])
def test_default_method_raises_each_filter_far_above_its_start(nb, vgg16_fast, layer_name, filter_indices):
    pictures = nb.visualize_filters(vgg16_fast, layer_name, filter_indices, image_size=96, steps=24, seed=3,
                                    progress=False)
    before = nb.measure_activation(vgg16_fast, layer_name, filter_indices,
                                   start_pictures(nb, "fourier", filter_indices, 96, 3))
    after = nb.measure_activation(vgg16_fast, layer_name, filter_indices, pictures)
    assert pictures.shape == (len(filter_indices), 96, 96, 3) and pictures.dtype == np.uint8
    assert np.all(after > 5 * before + 5), (before, after)


def test_no_picture_is_flat(nb, vgg16_fast):
    pictures = nb.visualize_filters(vgg16_fast, "block5_conv3", [0, 1, 2, 3], image_size=96, steps=16,
                                    progress=False)
    assert np.all(pictures.std(axis=(1, 2, 3)) > 20)


def test_a_filter_dead_at_the_start_still_gets_a_picture(nb, vgg16):
    """Find filters whose ReLU output is zero on the start image, then check they come alive."""
    layer_name, size = "block5_conv3", 96
    candidates = list(range(64))
    at_start = nb.measure_activation(vgg16, layer_name, candidates,
                                     start_pictures(nb, "fourier", candidates, size, 0))
    dead = [i for i, value in zip(candidates, at_start, strict=True) if value == 0.0][:3]
    assert dead, "expected some block5 filters to be silent on a near-grey image"
    pictures = nb.visualize_filters(vgg16, layer_name, dead, image_size=size, steps=16, progress=False)
    assert np.all(nb.measure_activation(vgg16, layer_name, dead, pictures) > 1.0)
    assert np.all(pictures.std(axis=(1, 2, 3)) > 20)


@pytest.mark.parametrize("method", ["fourier", "maco", "pixels"])
def test_batched_pictures_match_one_filter_at_a_time(nb, vgg16, method):
    """Image i of a batch maximises filter i only: the batch changes nothing but the speed."""
    filter_indices = [3, 7, 12]
    options = dict(image_size=64, steps=8, seed=5, method=method, progress=False)
    batched = nb.visualize_filters(vgg16, "block3_conv1", filter_indices, **options)
    for position, filter_index in enumerate(filter_indices):
        alone = nb.visualize_filters(vgg16, "block3_conv1", [filter_index], **options)[0]
        difference = np.abs(batched[position].astype(int) - alone.astype(int))
        assert difference.mean() < 1.0, (method, filter_index, difference.mean())


@pytest.mark.parametrize("method, objective", [("maco", "filter"), ("pixels", "filter"), ("fourier", "neuron")])
def test_every_method_and_objective_raises_its_target(nb, vgg16_fast, method, objective):
    filter_indices = [1, 4]
    pictures = nb.visualize_filters(vgg16_fast, "block3_conv1", filter_indices, image_size=64, steps=12,
                                    method=method, objective=objective, progress=False)
    before = nb.measure_activation(vgg16_fast, "block3_conv1", filter_indices,
                                   start_pictures(nb, method, filter_indices, 64, 0))
    after = nb.measure_activation(vgg16_fast, "block3_conv1", filter_indices, pictures)
    assert pictures.shape == (2, 64, 64, 3) and pictures.dtype == np.uint8
    assert np.all(after > before), (before, after)


def test_robust_activation_is_close_to_plain_activation_for_robust_pictures(nb, vgg16_fast):
    filter_indices = [0, 2]
    pictures = nb.visualize_filters(vgg16_fast, "block3_conv1", filter_indices, image_size=96, steps=24,
                                    progress=False)
    plain = nb.measure_activation(vgg16_fast, "block3_conv1", filter_indices, pictures)
    robust = nb.robust_activation(vgg16_fast, "block3_conv1", filter_indices, pictures)
    assert np.all(robust > 0.5 * plain)


def test_chunks_give_the_same_pictures_as_one_batch(nb, vgg16, monkeypatch):
    options = dict(image_size=64, steps=6, seed=1, progress=False)
    whole = nb.visualize_filters(vgg16, "block2_conv2", [0, 1, 2], **options)
    monkeypatch.setattr(nb, "images_per_chunk", lambda *args, **kwargs: 2)
    chunked = nb.visualize_filters(vgg16, "block2_conv2", [0, 1, 2], **options)
    assert np.abs(whole.astype(int) - chunked.astype(int)).mean() < 1.0


def test_pre_relu_extractor_is_the_layer_before_its_relu(nb, vgg16):
    images = nb.to_model_input(np.random.default_rng(0).random((2, 48, 48, 3)).astype(np.float32))
    after_relu = nb.feature_extractor(vgg16, "block2_conv1")(images).numpy()
    before_relu = nb.feature_extractor(vgg16, "block2_conv1", pre_relu=True)(images).numpy()
    assert before_relu.min() < 0
    np.testing.assert_allclose(np.maximum(before_relu, 0), after_relu, rtol=1e-4, atol=1e-3)


def test_receptive_fields_match_hand_computed_values(nb, vgg16):
    fields = nb.receptive_fields(vgg16)
    expected = {"block1_conv1": 3, "block1_conv2": 5, "block1_pool": 6, "block2_conv2": 14, "block3_conv1": 24,
                "block3_conv3": 40, "block4_conv3": 92, "block5_conv1": 132, "block5_conv3": 196,
                "block5_pool": 212}
    assert {name: fields[name] for name in expected} == expected


def test_layer_table_lists_the_13_conv_layers(nb, vgg16):
    table = nb.conv_layer_table(vgg16, image_size=128).splitlines()
    assert len(table) == 14
    assert table[1].split()[:3] == ["block1_conv1", "64", "128×128×64"]
    assert table[-1].split()[:3] == ["block5_conv3", "512", "8×8×512"]


def test_transformations_keep_size_and_identity_keeps_the_image(nb):
    images = np.random.default_rng(0).random((2, 40, 40, 3)).astype(np.float32)
    identity = np.array([[1.0, 0.0, 0.0, 0.0]] * 2, np.float32)
    np.testing.assert_allclose(nb.random_transform(images, identity).numpy(), images, atol=1e-5)
    plan = nb.transform_schedule([4, 9], steps=3, seed=0)
    assert plan.shape == (3, 2, 4)
    assert nb.random_transform(images, plan[0]).shape == images.shape



def test_filters_that_fire_skips_filters_silent_on_real_photos(nb, vgg16):
    photos = nb.sample_photos(size=96)
    chosen, skipped = nb.filters_that_fire(vgg16, "block2_conv2", 8, photos=photos)
    assert len(chosen) == 8 and not set(chosen) & set(skipped)
    maps = nb.feature_extractor(vgg16, "block2_conv2")(nb.to_model_input(photos)).numpy()
    strongest = maps.max(axis=(0, 1, 2))
    typical = np.median(strongest)
    assert all(strongest[i] >= 0.02 * typical for i in chosen)
    assert all(strongest[i] < 0.02 * typical for i in skipped)
    assert sorted(chosen + skipped) == list(range(max(chosen) + 1))


def test_filter_objective_is_the_mean_activation_once_the_filter_fires(nb):
    rng = np.random.default_rng(0)
    firing = rng.normal(5.0, 1.0, (1, 12, 12, 4)).astype(np.float32)  # mostly positive
    expected = np.maximum(firing[:, 2:-2, 2:-2, 1], 0).mean()
    assert np.isclose(nb.filter_objective(firing, [1]).numpy()[0], expected, rtol=1e-5)


def test_filter_objective_gives_a_silent_filter_a_gradient_on_its_strongest_positions(nb):
    import tensorflow as tf

    silent = tf.Variable(np.random.default_rng(1).normal(-50.0, 5.0, (1, 12, 12, 2)).astype(np.float32))
    with tf.GradientTape() as tape:
        value = nb.filter_objective(silent, [0])
    gradient = tape.gradient(value, silent).numpy()[0, 2:-2, 2:-2, 0]
    interior = silent.numpy()[0, 2:-2, 2:-2, 0]
    assert 0 < (gradient > 0).mean() <= 0.3  # only the strongest quarter of positions is pushed
    assert interior[gradient > 0].min() >= np.quantile(interior, 0.7)
