"""Real properties of the notebook's functions, checked with real VGG16 weights."""

import numpy as np
import pytest
import tensorflow as tf


def start_images(nb, model, method, layer_name, filter_indices, size, seed):
    """The float RGB images a method's ascent starts from, as `render` sees them before its first step."""
    field = nb.layer_geometries(model)[layer_name].field
    return nb.METHODS[method].image(filter_indices, size, seed, field=field)().numpy()


def start_pictures(nb, model, method, layer_name, filter_indices, size, seed):
    """The random starting images of a method, post-processed like the results."""
    return nb.postprocess(start_images(nb, model, method, layer_name, filter_indices, size, seed))


def spread(images):
    """Per image: the standard deviation of its float RGB values."""
    return np.asarray(images).std(axis=(1, 2, 3))


@pytest.mark.first_environment  # CI's other environments run this code through nbval's smoke run
@pytest.mark.parametrize("layer_name, filter_indices", [
    ("block3_conv1", [0, 5, 10, 200]),
    ("block4_conv3", [0, 1, 2]),
])
def test_default_method_raises_each_filter_far_above_its_start(nb, vgg16_fast, layer_name, filter_indices):
    pictures = nb.visualize_filters(vgg16_fast, layer_name, filter_indices, method="fourier", image_size=96,
                                    steps=16, seed=3, progress=False)
    before = nb.measure_activation(vgg16_fast, layer_name, filter_indices,
                                   start_pictures(nb, vgg16_fast, "fourier", layer_name, filter_indices, 96, 3))
    after = nb.measure_activation(vgg16_fast, layer_name, filter_indices, pictures)
    assert pictures.shape == (len(filter_indices), 96, 96, 3) and pictures.dtype == np.uint8
    assert np.all(after > 5 * before + 5), (before, after)


@pytest.mark.first_environment  # CI's other environments run this code through nbval's smoke run
def test_no_picture_is_flat(nb, vgg16_fast):
    """Judged on the float images before `postprocess` stretches them (which would make any non-constant image
    look contrasted): the ascent must have spread the faint Fourier start's values out several times over."""
    layer_name, filter_indices = "block5_conv3", [0, 1, 2, 3]
    floats = nb.visualize_filters(vgg16_fast, layer_name, filter_indices, method="fourier", image_size=96,
                                  steps=16, seed=0, progress=False, floats=True)
    start = start_images(nb, vgg16_fast, "fourier", layer_name, filter_indices, 96, 0)
    assert floats.shape == start.shape == (4, 96, 96, 3)
    assert np.all(spread(floats) > 4 * spread(start)), (spread(start), spread(floats))
    assert np.all(spread(floats) > 0.05), spread(floats)  # about 13 grey levels of 255, before any stretch


@pytest.mark.first_environment  # CI's other environments run this code through nbval's smoke run
def test_a_filter_dead_at_the_start_still_gets_a_picture(nb, vgg16_fast):
    """Find filters whose ReLU output is zero on the start image (so plain ascent gets no gradient), then check
    they come alive. (The pictures shared with `test_no_picture_is_flat` are made once, see `nb.MADE`.)"""
    layer_name, size = "block5_conv3", 96
    candidates = list(range(32))
    start = start_images(nb, vgg16_fast, "fourier", layer_name, candidates, size, 0)
    on_start = nb.mean_activation(nb.feature_extractor(vgg16_fast, layer_name)(start)[layer_name], candidates).numpy()
    on_shown_start = nb.measure_activation(vgg16_fast, layer_name, candidates, nb.postprocess(start))
    dead = [i for i in candidates if on_start[i] == 0.0 and on_shown_start[i] == 0.0][:3]
    assert dead, "expected some block5 filters to be silent on the faint start image"
    floats = nb.visualize_filters(vgg16_fast, layer_name, dead, method="fourier", image_size=size, steps=16, seed=0,
                                  progress=False, floats=True)
    assert np.all(nb.measure_activation(vgg16_fast, layer_name, dead, nb.postprocess(floats)) > 1.0)
    assert np.all(spread(floats) > 4 * spread(start[dead])), (spread(start[dead]), spread(floats))


@pytest.mark.parametrize("method", ["fourier", "maco", "pixels"])
def test_batched_pictures_match_one_filter_at_a_time(nb, vgg16, method, monkeypatch):
    """Image i of a batch maximises filter i only: the batch changes nothing but the speed."""
    filter_indices = [3, 7, 12]
    options = dict(image_size=64, steps=8, seed=5, method=method, progress=False)
    monkeypatch.setattr(nb, "MADE", {})  # both must really be computed: the batch may not answer for one filter
    batched = nb.visualize_filters(vgg16, "block3_conv1", filter_indices, **options)
    for position, filter_index in enumerate(filter_indices):
        nb.MADE.clear()
        alone = nb.visualize_filters(vgg16, "block3_conv1", [filter_index], **options)[0]
        difference = np.abs(batched[position].astype(int) - alone.astype(int))
        assert difference.mean() < 1.0, (method, filter_index, difference.mean())


@pytest.mark.parametrize("method, averaged", [("fourier", True), ("fourier-rgb", True), ("pixels", False),
                                              ("maco", True)])
def test_the_rising_schedule_keeps_the_running_average_of_the_image(nb, vgg16, method, averaged):
    """With the rising schedule (`adam_rising`) the picture is the exponential average (momentum 0.9) of the
    image after each step, starting from the first; the other optimisers keep the image after the last step."""
    assert (nb.METHODS[method].optimizer is nb.adam_rising) == averaged
    after_each_step, parameterisations = [], []

    def record(step, scores, image):
        after_each_step.append(image.variable.numpy().copy())
        parameterisations.append(image)

    floats = nb.visualize_filters(vgg16, "block3_conv1", [3, 7], image_size=32, steps=6, seed=0, method=method,
                                  progress=False, on_step=record, floats=True)
    assert len(after_each_step) == 6 and all(p is parameterisations[0] for p in parameterisations)
    average = after_each_step[0]
    for values in after_each_step[1:]:
        average = 0.9 * average + 0.1 * values
    expected = average if averaged else after_each_step[-1]
    final = parameterisations[-1].variable.numpy()
    np.testing.assert_allclose(final, expected, atol=1e-5)
    np.testing.assert_allclose(floats, parameterisations[-1]().numpy(), atol=1e-6)  # the picture is that image
    assert np.abs(after_each_step[-1] - average).max() > 1e-3  # the two differ, so the check can fail


def test_the_optimiser_factories_build_what_the_recipes_say(nb):
    """The factories behind the recipes: the rising schedule averages the image (momentum 0.9) and its learning
    rate rises linearly to its peak at the last step; the normalised step keeps no average."""
    rising = nb.adam_rising(0.4, 10)
    assert rising.use_ema and rising.ema_momentum == pytest.approx(0.9) and rising.beta_1 == pytest.approx(0.5)
    schedule = nb.RisingLearningRate(0.4, 10)
    assert [float(schedule(step)) for step in (0, 4, 9, 20)] == pytest.approx([0.04, 0.2, 0.4, 0.4])
    assert {name: recipe.optimizer for name, recipe in nb.METHODS.items()} == {
        "pixels": nb.NormalizedGradientAscent, "pixels+transforms": nb.NormalizedGradientAscent,
        "fourier-rgb": nb.adam_rising, "fourier": nb.adam_rising, "maco": nb.adam_rising}
    variable = tf.Variable(np.ones((2, 4, 4, 3), np.float32))
    gradient = np.zeros((2, 4, 4, 3), np.float32)
    gradient[0, 0, 0, 0], gradient[1] = 3.0, -1.0  # the step is of the negated objective: it goes against it
    nb.NormalizedGradientAscent(5.0, 10).apply_gradients([(tf.constant(gradient), variable)])
    moved = variable.numpy() - 1.0
    assert moved[0, 0, 0, 0] == pytest.approx(-5.0) and np.linalg.norm(moved[1]) == pytest.approx(5.0)


@pytest.mark.parametrize("method, objective", [("maco", "filter"), ("pixels", "filter"), ("fourier", "neuron")])
def test_every_method_and_objective_raises_its_target(nb, vgg16_fast, method, objective):
    filter_indices, layer_name = [1, 4], "block3_conv1"
    chosen = {"filter": nb.filter_objective, "neuron": nb.neuron_objective}[objective](layer_name)
    pictures = nb.visualize_filters(vgg16_fast, layer_name, filter_indices, image_size=64, steps=12, seed=0,
                                    method=method, objective=chosen, progress=False)
    before = nb.measure_activation(vgg16_fast, layer_name, filter_indices,
                                   start_pictures(nb, vgg16_fast, method, layer_name, filter_indices, 64, 0))
    after = nb.measure_activation(vgg16_fast, layer_name, filter_indices, pictures)
    assert pictures.shape == (2, 64, 64, 3) and pictures.dtype == np.uint8
    assert np.all(after > before), (before, after)


def test_activation_under_seen_transformations_is_close_to_plain_activation_for_robust_pictures(nb, vgg16_fast):
    filter_indices = [0, 10]  # the pictures of test_default_method_raises_each_filter_far_above_its_start
    pictures = nb.visualize_filters(vgg16_fast, "block3_conv1", filter_indices, method="fourier", image_size=96,
                                    steps=16, seed=3, progress=False)
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
    with pytest.raises(ValueError, match="under must be one of 'seen', 'unseen'"):
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
    options = dict(method="fourier", image_size=64, steps=6, seed=1, progress=False)
    batches, real_render = [], nb.render

    def counting_render(model, objective, *args, targets, **kwargs):
        batches.append(list(targets))
        return real_render(model, objective, *args, targets=targets, **kwargs)

    monkeypatch.setattr(nb, "render", counting_render)
    monkeypatch.setattr(nb, "MADE", {})  # a fresh memory of pictures, the session's restored afterwards
    whole = nb.visualize_filters(vgg16, "block2_conv2", [0, 1, 2], **options)
    two_images = 2 * nb.bytes_per_image(vgg16, "block2_conv2", 64) / 2**30
    monkeypatch.setattr(nb, "MEMORY_BUDGET_GB", two_images)  # room for two pictures per chunk
    nb.MADE.clear()
    chunked = nb.visualize_filters(vgg16, "block2_conv2", [0, 1, 2], **options)
    assert batches == [[0, 1, 2], [0, 1], [2]]
    assert np.abs(whole.astype(int) - chunked.astype(int)).mean() < 1.0


def test_pre_relu_extractor_is_the_layer_before_its_relu(nb, vgg16):
    images = np.random.default_rng(0).random((2, 48, 48, 3)).astype(np.float32)  # RGB in [0, 1]
    both = nb.feature_extractor(vgg16, "block2_conv1", "block2_conv1:pre_relu")(images)
    after_relu = nb.feature_extractor(vgg16, "block2_conv1")(images)["block2_conv1"].numpy()
    before_relu = both["block2_conv1:pre_relu"].numpy()
    assert set(both) == {"block2_conv1", "block2_conv1:pre_relu"} and before_relu.dtype == np.float32
    assert before_relu.shape == after_relu.shape == (2, 24, 24, 128)
    assert before_relu.min() < 0
    np.testing.assert_allclose(np.maximum(before_relu, 0), after_relu, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(both["block2_conv1"].numpy(), after_relu, rtol=1e-5, atol=1e-4)


def test_receptive_fields_match_hand_computed_values(nb, vgg16):
    geometries = nb.layer_geometries(vgg16)
    expected = {"block1_conv1": 3, "block1_conv2": 5, "block1_pool": 6, "block2_conv2": 14, "block3_conv1": 24,
                "block3_conv3": 40, "block4_conv3": 92, "block5_conv1": 132, "block5_conv3": 196,
                "block5_pool": 212}
    assert {name: geometries[name].field for name in expected} == expected


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
    extract = nb.feature_extractor(vgg16, "block2_conv2")
    maps = [extract(photo[None] / np.float32(255))["block2_conv2"].numpy()[0] for photo in photos.values()]
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


@pytest.mark.first_environment  # CI's other environments run this code through nbval's smoke run
def test_the_ladder_gives_every_rung_the_same_filters_seeds_steps_and_scores(nb, vgg16_fast, monkeypatch):
    calls = []
    real = nb.visualize_filters

    def recording(model, layer_name, filter_indices, **options):
        calls.append((options["method"], options["objective"].name, options["seed"],
                      (options["steps"], options["image_size"], tuple(filter_indices))))
        return real(model, layer_name, filter_indices, **options)

    monkeypatch.setattr(nb, "visualize_filters", recording)
    rungs = {"pixels": (nb.METHODS["pixels"], 0), "fourier": (nb.METHODS["fourier"], 0), "tv": (nb.PIXELS_ADAM, 2.0)}
    pictures, scores = nb.climb_ladder(vgg16_fast, "block3_conv1", [1, 2], rungs, image_size=64, steps=3, seeds=[7, 8])
    assert [call[0] for call in calls] == [recipe for recipe, _ in rungs.values() for _ in (7, 8)]
    assert [call[2] for call in calls] == [7, 8] * 3 and {call[3] for call in calls} == {(3, 64, (1, 2))}
    assert [call[1] for call in calls][-1] == "filter of block3_conv1 + total variation × 2"
    assert {call[1] for call in calls[:4]} == {"filter of block3_conv1"}
    assert list(pictures) == list(rungs) and all(p.shape == (2, 64, 64, 3) for p in pictures.values())
    first_seed = nb.score_pictures(vgg16_fast, "block3_conv1", [1, 2], pictures["fourier"])
    for name, values in first_seed.items():
        assert scores["fourier"][name].shape == (4,) and scores["fourier"][name][:2] == pytest.approx(values)
    table = nb.score_table(scores).splitlines()
    assert len(table) == 4 and table[1].startswith("pixels") and "(" in table[1] and "–" in table[1]


def ingredients(rung):
    """A rung's image, transformations, optimiser and penalty, comparable (partials by their function and options)."""
    recipe, smoothing = rung
    image = recipe.image
    if hasattr(image, "func"):
        image = (image.func, tuple(sorted((key, repr(value)) for key, value in image.keywords.items())))
    return {"image": image, "transformations": recipe.transforms, "optimiser": recipe.optimizer, "penalty": smoothing}


def changed(rung, before):
    return [name for name, value in ingredients(rung).items() if value != ingredients(before)[name]]


def test_each_rung_of_the_ladder_changes_one_ingredient_and_the_last_is_the_default(nb):
    rungs = list(nb.LADDER.values())
    assert [changed(rung, before) for before, rung in zip(rungs, rungs[1:], strict=False)] == [
        ["transformations"], ["optimiser"], ["image"], ["image"], ["image"]]
    assert rungs[0] == (nb.METHODS["pixels"], 0) and rungs[-1] == (nb.METHODS["fourier"], 0)
    assert ingredients(rungs[3])["image"][1] == (("band_limit", "False"), ("colour", repr(nb.RGB)))
    assert ingredients(rungs[4])["image"][1] == (("colour", repr(nb.RGB)),)
    maco, smoothed = nb.ALTERNATIVES.values()
    assert changed(maco, nb.LADDER["+ decorrelated colour"]) == ["image"]
    assert changed(smoothed, nb.LADDER["+ Adam, rising"]) == ["penalty"] and smoothed[1] == nb.TV_WEIGHT > 0


def test_the_band_limit_removes_exactly_the_frequencies_above_it(nb):
    limited = nb.FourierImage([0], 64, 0, field=92).scale.numpy()
    full = nb.FourierImage([0], 64, 0, field=92, band_limit=False).scale.numpy()
    frequencies = nb.spectrum_frequencies(64)
    assert np.all(limited[frequencies > 0.3] == 0) and np.all(limited[frequencies <= 0.3] != 0)
    within_nyquist = frequencies <= 0.5  # every image keeps these (the corners of the spectrum go)
    assert np.all(full[within_nyquist] != 0) and np.array_equal(limited[frequencies <= 0.3], full[frequencies <= 0.3])
    assert np.all(nb.FourierImage([0], 64, 0, field=40).scale.numpy()[within_nyquist] != 0)  # a small field: no limit


def test_the_input_is_a_feature_map_like_any_other(nb, vgg16_fast):
    images = np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)
    maps = nb.feature_extractor(vgg16_fast, "input", "block1_conv1")(images)
    as_taken = tf.cast(tf.cast(nb.to_model_input(images), vgg16_fast.inputs[0].dtype), tf.float32)  # Keras 3.0: the
    np.testing.assert_allclose(maps["input"].numpy(), as_taken.numpy(), rtol=1e-6)  # input in the policy's dtype
    assert maps["block1_conv1"].shape == (2, 32, 32, 64)


def test_filter_objective_is_the_mean_activation_once_the_filter_fires(nb):
    rng = np.random.default_rng(0)
    firing = rng.normal(5.0, 1.0, (1, 12, 12, 4)).astype(np.float32)  # mostly positive
    expected = np.maximum(firing[:, 2:-2, 2:-2, 1], 0).mean()
    objective = nb.filter_objective("block3_conv1")
    assert objective.layers == ("block3_conv1:pre_relu",)  # it reads the layer before its ReLU
    assert np.isclose(objective({"block3_conv1:pre_relu": firing}, [1]).numpy()[0], expected, rtol=1e-5)


def test_filter_objective_gives_a_silent_filter_a_gradient_on_its_strongest_positions(nb):
    silent = tf.Variable(np.random.default_rng(1).normal(-50.0, 5.0, (1, 12, 12, 2)).astype(np.float32))
    objective = nb.filter_objective("block3_conv1")
    with tf.GradientTape() as tape:
        value = objective({"block3_conv1:pre_relu": silent}, [0])
    gradient = tape.gradient(value, silent).numpy()[0, 2:-2, 2:-2, 0]
    interior = silent.numpy()[0, 2:-2, 2:-2, 0]
    assert 0 < (gradient > 0).mean() <= 0.3  # only the strongest quarter of positions is pushed
    assert interior[gradient > 0].min() >= np.quantile(interior, 0.7)


def test_objectives_add_subtract_and_scale_like_numbers(nb):
    rng = np.random.default_rng(2)
    maps = {"block3_conv1:pre_relu": rng.normal(1.0, 2.0, (2, 9, 9, 5)).astype(np.float32),
            "block4_conv1:pre_relu": rng.normal(0.0, 1.0, (2, 7, 7, 5)).astype(np.float32)}
    first, second, targets = nb.filter_objective("block3_conv1"), nb.neuron_objective("block4_conv1"), [2, 4]
    a, b = first(maps, targets).numpy(), second(maps, targets).numpy()
    assert np.allclose(b, maps["block4_conv1:pre_relu"][[0, 1], 3, 3, [2, 4]])  # the centre unit of its filter
    combined = 2 * first - second * 0.5
    assert combined.layers == ("block3_conv1:pre_relu", "block4_conv1:pre_relu")
    np.testing.assert_allclose(combined(maps, targets).numpy(), 2 * a - 0.5 * b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose((-first)(maps, targets).numpy(), -a, rtol=1e-6)
    assert (first + first).layers == first.layers and combined.name != first.name
