"""The objectives of section 9 and the patches across a filter's range do what they say, on real pictures."""

import cv2
import numpy as np
import pytest
import tensorflow as tf

LAYER = "block3_conv1"


@pytest.fixture(scope="module")
def photos(nb):
    return nb.load_photos(["astronaut", "chelsea", "coffee", "rocket"], max_side=128)


@pytest.fixture(scope="module")
def strongest(nb, vgg16, photos):
    return nb.strongest_filters(nb.measure_photos(vgg16, photos)[LAYER], 2)


def test_the_total_variation_penalty_is_the_neighbour_difference_times_the_activation(nb):
    activation = nb.Objective([], lambda maps, targets: tf.constant([10.0, 10.0, 10.0]), "ten")
    penalty = nb.total_variation_penalty(0.5, activation)
    rows, columns = np.indices((8, 8))
    checkerboard, stripes = ((pattern % 2)[..., None].repeat(3, axis=2) for pattern in (rows + columns, rows))
    images = np.stack([np.full((8, 8, 3), 0.3), checkerboard, stripes]).astype(np.float32)  # values 0 and 1
    value = penalty({"input": nb.to_model_input(tf.constant(images))}, None).numpy()
    # flat: no variation; a checkerboard: every neighbour differs by 1; stripes: only neighbours down differ
    assert value == pytest.approx([0.0, -0.5 * 10 * 2, -0.5 * 10 * 1], abs=1e-3)


def test_the_total_variation_penalty_smooths_the_pictures_that_still_drive_their_filters(fresh, vgg16, strongest):
    nb, settings = fresh, dict(method=fresh.PIXELS_ADAM, image_size=64, steps=24, seed=0, progress=False)
    objective = nb.filter_objective(LAYER)
    plain = nb.visualize_filters(vgg16, LAYER, strongest, floats=True, **settings)
    smooth = nb.visualize_filters(vgg16, LAYER, strongest, floats=True, **settings,
                                  objective=objective + nb.total_variation_penalty(4.0, objective))

    def variation(images):  # judged on the float images, before any contrast stretch
        down, across = np.abs(np.diff(images, axis=1)), np.abs(np.diff(images, axis=2))
        return down.mean(axis=(1, 2, 3)) + across.mean(axis=(1, 2, 3))

    assert np.all(variation(smooth) < 0.7 * variation(plain)), (variation(smooth), variation(plain))
    start_pictures = nb.postprocess(nb.PIXELS_ADAM.image(strongest, 64, 0)().numpy())
    start = nb.measure_activation(vgg16, LAYER, strongest, start_pictures)
    driven = nb.measure_activation(vgg16, LAYER, strongest, nb.postprocess(smooth))
    assert np.all(driven > 2 * start + 1), (driven, start)


def test_the_negative_of_a_filter_drives_it_below_its_start_and_the_positive_above(fresh, vgg16, strongest):
    nb, settings = fresh, dict(image_size=64, steps=8, method="fourier", seed=0, progress=False)
    channel = nb.channel_objective(LAYER)
    start = nb.postprocess(nb.METHODS["fourier"].image(strongest, 64, 0, field=24)())
    most = nb.visualize_filters(vgg16, LAYER, strongest, **settings)
    least = nb.visualize_filters(vgg16, LAYER, strongest, objective=-channel, **settings)
    at_start, at_most, at_least = (nb.measure_objective(vgg16, channel, strongest, p) for p in (start, most, least))
    gain = at_most - at_start
    assert (gain > 0).all(), f"positive {at_most} not above the start {at_start}"
    assert (at_least < at_start - 0.05 * gain).all(), f"negative {at_least} not below the start {at_start}"


def test_a_blend_moves_from_the_first_filter_to_the_second(nb, vgg16, strongest):
    first, second = strongest
    row = nb.visualize_blend(vgg16, LAYER, first, second, 3, image_size=64, steps=8, method="fourier", seed=0)
    channel = nb.channel_objective(LAYER)
    of_first, of_second = (nb.measure_objective(vgg16, channel, [i] * 3, row) for i in (first, second))
    assert of_first[0] > of_first[-1] and of_second[-1] > of_second[0], (of_first, of_second)
    # the middle picture serves both: each filter more than in the picture made for the other one alone
    assert of_first[1] > of_first[-1] and of_second[1] > of_second[0], (of_first, of_second)


def test_deep_dream_stays_a_photo_at_its_first_octave_and_raises_the_layer_objective(nb, vgg16, photos):
    objective, photo = nb.layer_objective("block3_conv3"), photos["chelsea"]
    square, first, last = nb.deep_dream(vgg16, photo, objective, size=96, octaves=2, steps=6, learning_rate=0.006,
                                        seed=0)
    assert square.shape == last.shape == (96, 96, 3) and first.shape == (69, 69, 3)
    shrunk = cv2.resize(square, (69, 69), interpolation=cv2.INTER_AREA).astype(np.float32)
    assert np.abs(first - shrunk).mean() < 12, "the first octave no longer looks like the photo"
    before, after = (nb.measure_objective(vgg16, objective, [0], p[None])[0] for p in (square, last))
    assert after > 1.5 * before, (before, after)


def test_deep_dream_puts_back_the_detail_that_shrinking_lost(nb, vgg16, photos):
    """With a vanishing step the dream is the photo itself at full size: the octaves lose no detail."""
    square, *_, last = nb.deep_dream(vgg16, photos["astronaut"], nb.layer_objective("block3_conv3"), size=96,
                                     octaves=3, steps=1, learning_rate=1e-9, seed=0)
    assert np.abs(last.astype(int) - square).max() <= 2


def test_patches_across_range_come_from_their_quantiles(nb, vgg16, photos, strongest):
    maps = nb.photo_activations(vgg16, LAYER, photos)
    filter_index = strongest[0]
    quantiles = [1.0, 0.9, 0.5, 0.1]
    patches = nb.patches_across_range(vgg16, LAYER, filter_index, photos, quantiles, activations=maps)
    values = np.concatenate([m[..., filter_index].ravel() for m in maps.values()])
    firing = values[values > 0].astype(np.float64)  # as the function ranks them (NumPy 1 keeps float32)
    activations = [p.activation for p in patches]
    assert activations == sorted(activations, reverse=True) and activations[-1] > 0
    assert activations[0] == pytest.approx(firing.max())
    for q, activation in zip(quantiles, activations, strict=True):
        assert np.abs(firing - np.quantile(firing, q)).min() == pytest.approx(abs(activation - np.quantile(firing, q)))
    top = nb.top_activating_patches(vgg16, LAYER, filter_index, photos, count=1, activations=maps)[0]
    assert np.array_equal(top.pixels, patches[0].pixels) and top.photo_name == patches[0].photo_name
    for patch in patches:  # each patch is the receptive field of the unit named, cut from its photo
        geometry = nb.layer_geometries(vgg16)[LAYER]
        box = nb.receptive_box(geometry, patch.row, patch.column)
        assert np.array_equal(patch.pixels, nb.cut_patch(photos[patch.photo_name], *box))
        assert maps[patch.photo_name][patch.row, patch.column, filter_index] == pytest.approx(patch.activation)
