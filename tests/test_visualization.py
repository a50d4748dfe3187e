"""Real properties of the notebook's functions, checked with real VGG16 weights."""

import numpy as np
import pytest


def start_pictures(nb, method, filter_indices, size, seed):
    """The random starting images of a method, post-processed like the results."""
    return nb.postprocess(nb.METHODS[method].image(filter_indices, size, seed)().numpy())


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


@pytest.mark.parametrize("method, averaged", [("fourier", True), ("fourier-rgb", True), ("pixels", False),
                                              ("maco", False)])
def test_the_rising_schedule_keeps_the_running_average_of_the_image(nb, vgg16, method, averaged):
    """With "adam-rising" the picture is the exponential average (momentum 0.9) of the image after each step,
    starting from the first; the other optimisers keep the image after the last step."""
    after_each_step, parameterisations = [], []

    def record(step, scores, image):
        after_each_step.append(image.variable.numpy().copy())
        parameterisations.append(image)

    nb.visualize_filters(vgg16, "block3_conv1", [3, 7], image_size=32, steps=6, method=method, progress=False,
                         on_step=record)
    average = after_each_step[0]
    for values in after_each_step[1:]:
        average = 0.9 * average + 0.1 * values
    expected = average if averaged else after_each_step[-1]
    final = parameterisations[-1].variable.numpy()
    np.testing.assert_allclose(final, expected, atol=1e-5)
    assert np.abs(after_each_step[-1] - average).max() > 1e-3  # the two differ, so the check can fail


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


def test_activation_under_seen_transformations_is_close_to_plain_activation_for_robust_pictures(nb, vgg16_fast):
    filter_indices = [0, 2]
    pictures = nb.visualize_filters(vgg16_fast, "block3_conv1", filter_indices, image_size=96, steps=24,
                                    progress=False)
    plain = nb.measure_activation(vgg16_fast, "block3_conv1", filter_indices, pictures)
    seen = nb.measure_activation(vgg16_fast, "block3_conv1", filter_indices, pictures, under="seen")
    assert np.all(seen > 0.5 * plain)


def test_unseen_transformations_are_larger_than_any_method_trains_with(nb):
    plans = nb.unseen_transform_plans(count=5, trials=40, seed=0)
    assert plans.shape == (40, 5, 4)
    scale, angle, shift_x, shift_y = np.moveaxis(plans, -1, 0)
    assert np.all(((scale >= 0.7) & (scale <= 0.8)) | ((scale >= 1.25) & (scale <= 1.4)))
    assert np.all((np.abs(np.degrees(angle)) >= 20 - 1e-4) & (np.abs(np.degrees(angle)) <= 30 + 1e-4))
    assert np.all((np.abs(shift_x) >= 16) & (np.abs(shift_x) <= 32)) and np.all(np.abs(shift_y) >= 16)
    assert (angle > 0).any() and (angle < 0).any() and (scale < 1).any() and (scale > 1).any()
    seen = nb.transform_schedule(range(5), 40, seed=0)
    assert np.abs(seen[..., 2:]).max() <= 8 and np.abs(np.degrees(seen[..., 1])).max() <= 10


def test_measure_activation_refuses_an_unknown_kind_of_transformation(nb, vgg16_fast):
    with pytest.raises(ValueError, match="under must be None, 'seen' or 'unseen'"):
        nb.measure_activation(vgg16_fast, "block1_conv1", [0], np.zeros((1, 32, 32, 3), np.uint8), under="big")


def test_fine_grain_share_and_saturation_tell_noise_from_smooth_colour(nb):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (1, 64, 64, 3), dtype=np.uint8)
    ramp = np.broadcast_to(np.linspace(0, 255, 64)[None, :, None, None], (1, 64, 64, 3)).astype(np.uint8)
    assert nb.fine_grain_share(noise)[0] > 0.5 and nb.fine_grain_share(ramp)[0] < 0.05
    red = np.zeros((1, 8, 8, 3), np.uint8)
    red[..., 0] = 255
    assert nb.saturation(red)[0] == pytest.approx(1.0) and nb.saturation(ramp)[0] == pytest.approx(0.0)


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
    photos = nb.load_photos(["astronaut", "chelsea", "coffee", "rocket"], max_side=96)
    responses = nb.measure_photos(vgg16, photos)
    chosen, skipped = nb.filters_that_fire(responses["block2_conv2"], 8)
    assert len(chosen) == 8 and not set(chosen) & set(skipped)
    extractor = nb.feature_extractor(vgg16, "block2_conv2")
    maps = [extractor(nb.to_model_input(photo[None] / np.float32(255))).numpy()[0] for photo in photos.values()]
    strongest = np.max([m.max(axis=(0, 1)) for m in maps], axis=0)
    typical = np.median(strongest)
    assert all(strongest[i] >= 0.02 * typical for i in chosen)
    assert all(strongest[i] < 0.02 * typical for i in skipped)
    assert sorted(chosen + skipped) == list(range(max(chosen) + 1))
    assert set(responses) == set(nb.conv_layer_names(vgg16))


def test_strongest_filters_are_living_and_sorted_by_their_mean_response(nb):
    responses = nb.FilterResponses(peak=np.array([5.0, 0.0, 4.0, 6.0, 3.0]), mean=np.array([1.0, 9.0, 3.0, 2.0, 0.5]))
    assert nb.strongest_filters(responses, 3) == [2, 3, 0]  # filter 1 never fires: it is skipped
    assert nb.filters_that_fire(responses, 2) == ([0, 2], [1])


def test_the_ladder_gives_every_rung_the_same_steps_and_the_same_scores(nb, vgg16_fast, monkeypatch):
    calls = []
    real = nb.visualize_filters

    def recording(model, layer_name, filter_indices, **options):
        calls.append((options["method"], options["steps"], options["seed"], options["image_size"]))
        return real(model, layer_name, filter_indices, **options)

    monkeypatch.setattr(nb, "visualize_filters", recording)
    rungs = ["pixels", "pixels+transforms", "fourier"]
    pictures, scores = nb.climb_ladder(vgg16_fast, "block3_conv1", [1, 2], rungs, image_size=64, steps=3, seed=7)
    assert [call[0] for call in calls] == rungs
    assert {call[1:] for call in calls} == {(3, 7, 64)}
    assert list(pictures) == rungs and all(p.shape == (2, 64, 64, 3) for p in pictures.values())
    expected = nb.score_pictures(vgg16_fast, "block3_conv1", [1, 2], pictures["fourier"])
    assert {k: v for k, v in scores["fourier"].items() if k != "s/filter"} == pytest.approx(expected)


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
