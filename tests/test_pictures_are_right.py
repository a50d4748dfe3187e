"""The pictures are right, not only the right shape: each test here fails on one plausible way of making a
wrong picture (a transformation turned the other way, the colour prior or the photo spectrum replaced, the
same start for every filter, no contrast stretch, ...). /tmp/handoff/plant_bugs.py plants each of those bugs
in the loaded definitions and checks that the test named for it fails."""

import time

import numpy as np
import pytest
import tensorflow as tf

# Lucid's colour correlation matrix (the square root of ImageNet's RGB covariance), normalised so that its
# largest column has length 1: typed here from Lucid, not taken from the notebook.
LUCID = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
LUCID = LUCID / np.linalg.norm(LUCID, axis=0).max()


@pytest.fixture(scope="module")
def strongest(nb, vgg16):
    """The filters of each layer that respond most to four real photos, strongest first (as the notebook picks)."""
    responses = nb.measure_photos(vgg16, nb.load_photos(["astronaut", "chelsea", "coffee", "rocket"], max_side=96))
    return lambda layer_name, count: nb.strongest_filters(responses[layer_name], count)


# 1-2. The geometry of the random transformations


def blob(size, row, column, sigma=1.5):
    yy, xx = np.mgrid[0:size, 0:size]
    return np.exp(-((yy - row) ** 2 + (xx - column) ** 2) / (2 * sigma**2))


def landing_point(size, pad, row, column, scale, angle, shift_x, shift_y):
    """Where a dot at (row, column) lands, by hand. The output pixel q of the padded image (side + 2 pad, centre
    c) reads the input at c + R(angle) (q - c) / scale + shift, R = [[cos, -sin], [sin, cos]] in (x = column,
    y = row) coordinates: the rotation about the padded image's centre, then the shift. So a dot at p lands at
    q = c + scale R(-angle) (p - c - shift), then the crop takes `pad` off each side."""
    centre = (size + 2 * pad - 1) / 2.0
    dx, dy = column + pad - centre - shift_x, row + pad - centre - shift_y
    cos, sin = np.cos(angle), np.sin(angle)
    x = centre + scale * (cos * dx + sin * dy) - pad
    y = centre + scale * (-sin * dx + cos * dy) - pad
    return y, x


def test_random_transform_puts_a_dot_where_the_geometry_says(nb):
    """A bright dot on black, three images, three plans (each image its own). The dot's centre of mass must land
    where the rotation about the padded centre, the scale and the shift put it, within 0.3 px; a rotation the
    other way or the inverse scale would put it 3-6 px away."""
    size, pad = 64, 8
    dots = [(16.0, 46.0), (50.0, 14.0), (30.0, 40.0)]  # (row, column), away from the edges: the padding stays black
    plans = np.array([[1.1, np.radians(12.0), 3.0, -2.0],
                      [0.9, np.radians(-8.0), -4.0, 5.0],
                      [1.0, 0.0, 0.0, 0.0]], np.float32)  # the identity
    images = np.stack([np.repeat(blob(size, r, c)[..., None], 3, axis=2) for r, c in dots]).astype(np.float32)
    moved = nb.random_transform(tf.constant(images), tf.constant(plans)).numpy()
    assert moved.shape == images.shape
    yy, xx = np.mgrid[0:size, 0:size]
    for k, ((row, column), plan) in enumerate(zip(dots, plans.astype(np.float64), strict=True)):
        weight = moved[k, ..., 0]
        assert weight.sum() > 0.5 * images[k, ..., 0].sum(), f"image {k}: the dot is gone"
        found = np.array([(weight * yy).sum(), (weight * xx).sum()]) / weight.sum()
        expected = np.array(landing_point(size, pad, row, column, *plan))
        assert np.allclose(moved[k, ..., 0], moved[k, ..., 2], atol=1e-6)  # every channel moves alike
        assert np.abs(found - expected).max() < 0.3, (k, plan, found, expected)
        if k < 2:  # the test can tell: the wrong turn or the inverse scale lands far away
            scale, angle, *shift = plan
            for wrong in (landing_point(size, pad, row, column, scale, -angle, *shift),
                          landing_point(size, pad, row, column, 1 / scale, angle, *shift)):
                assert np.abs(np.array(wrong) - expected).max() > 2.5


# 3. Decorrelated colour


def test_fourier_image_colours_are_lucids_decorrelated_colours_by_default(nb):
    """The default FourierImage, and the "fourier" method, map colour through Lucid's normalised matrix; the
    "fourier-rgb" rung through the identity; MACO through Lucid's too."""
    np.testing.assert_allclose(nb.COLOR_CORRELATION, LUCID, atol=1e-6)
    x = np.random.default_rng(0).normal(0.0, 1.0, (2, 5, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(nb.decorrelated_to_rgb(x).numpy(), 1 / (1 + np.exp(-x @ LUCID.T)), atol=1e-6)
    starts, size, seed = [5, 9], 32, 1
    lucid = nb.FourierImage(starts, size, seed, colour=LUCID.astype(np.float32))().numpy()
    rgb = nb.FourierImage(starts, size, seed, colour=np.eye(3, dtype=np.float32))().numpy()
    assert np.abs(lucid - rgb).max() > 1e-3  # the colour matrix matters to these images
    np.testing.assert_allclose(nb.FourierImage(starts, size, seed)().numpy(), lucid, atol=1e-6)
    np.testing.assert_allclose(nb.METHODS["fourier"].image(starts, size, seed)().numpy(), lucid, atol=1e-6)
    np.testing.assert_allclose(nb.METHODS["fourier-rgb"].image(starts, size, seed)().numpy(), rgb, atol=1e-6)


def test_decorrelated_colour_lowers_saturation_against_plain_rgb(fresh, vgg16, strongest):
    """The ladder's claim for the rung '+ decorrelated colour', on three deep filters at 64 px, 8 steps."""
    nb = fresh
    filters = strongest("block4_conv3", 3)
    options = dict(image_size=64, steps=8, seed=42, progress=False)
    decorrelated = nb.saturation(nb.visualize_filters(vgg16, "block4_conv3", filters, method="fourier", **options))
    plain = nb.saturation(nb.visualize_filters(vgg16, "block4_conv3", filters, method="fourier-rgb", **options))
    assert np.all(decorrelated < plain - 0.03), (decorrelated, plain)
    assert decorrelated.mean() < plain.mean() - 0.1, (decorrelated, plain)


# 4. Starts: one per filter, whatever the batch


@pytest.mark.parametrize("kind", ["PixelImage", "FourierImage", "MagnitudeConstrainedImage"])
def test_each_filter_has_its_own_start_whatever_its_batch(nb, kind):
    parameterisation = getattr(nb, kind)
    first, second = (parameterisation(starts, 32, 42).variable.numpy() for starts in ([3, 7], [7, 9]))
    np.testing.assert_array_equal(first[1], second[0])  # filter 7's start, in [3, 7] and in [7, 9]
    spread = np.abs(first[0] - first[0].mean()).mean()
    assert np.abs(first[0] - first[1]).mean() > 0.5 * spread  # filters 3 and 7 start apart
    assert np.abs(first[1] - second[1]).mean() > 0.5 * spread  # and so do 7 and 9
    other_seed = parameterisation([7], 32, 43).variable.numpy()[0]
    assert np.abs(other_seed - first[1]).mean() > 0.5 * spread
    plans = [nb.transform_schedule(starts, 6, 42) for starts in ([3, 7], [7, 9])]
    np.testing.assert_array_equal(plans[0][:, 1], plans[1][:, 0])
    assert np.abs(plans[0][:, 0] - plans[0][:, 1]).max() > 0.01


def test_a_picture_made_in_a_batch_is_the_picture_made_alone(fresh, vgg16):
    nb, layer = fresh, "block3_conv1"
    options = dict(method="fourier", steps=4, image_size=48, seed=5, progress=False, floats=True)
    made = {}
    for batch in ([3, 7], [7, 9], [7]):
        nb.MADE.clear()  # else filter 7 alone would be served from the first batch's memo
        made[tuple(batch)] = nb.visualize_filters(vgg16, layer, batch, **options)
    np.testing.assert_allclose(made[(3, 7)][1], made[(7,)][0], atol=1e-5)
    np.testing.assert_allclose(made[(7, 9)][0], made[(7,)][0], atol=1e-5)


# 5. The contrast stretch


def test_postprocess_stretches_each_image_from_its_own_percentiles(nb):
    """Evenly spaced values, shuffled, in two images with very different ranges: for n evenly spaced values the
    p-th percentile (linear interpolation) is low + (high - low) p / 100, so the 0.5th and 99.5th are known by
    hand. They must map to 0 and 255, everything between linearly, everything outside clipped, per image."""
    rng, ranges, shape = np.random.default_rng(0), [(-3.0, 5.0), (0.2, 0.4)], (20, 20, 3)
    images = np.stack([rng.permutation(np.linspace(low, high, np.prod(shape))).reshape(shape) for low, high in ranges])
    pictures = nb.postprocess(images.astype(np.float32))
    assert pictures.dtype == np.uint8 and pictures.shape == images.shape
    for image, picture, (low, high) in zip(images, pictures, ranges, strict=True):
        p_low, p_high = low + 0.005 * (high - low), high - 0.005 * (high - low)
        expected = np.clip((image - p_low) / (p_high - p_low), 0.0, 1.0) * 255.0
        assert np.abs(picture.astype(float) - expected).max() <= 0.51 + 1e-3 * 255
        assert picture.min() == 0 and picture.max() == 255
        assert np.all(picture[image <= p_low] == 0) and np.all(picture[image >= p_high] == 255)
        middle = np.isclose(image, (p_low + p_high) / 2, atol=(high - low) / 1000)
        assert middle.any() and np.all(np.abs(picture[middle].astype(int) - 128) <= 1)


# 6. MACO's magnitudes


def test_maco_keeps_the_magnitudes_of_real_photos(nb):
    """Undo MACO's last steps by hand (the sigmoid, Lucid's colour matrix): the image before its normalisation
    is a scaled copy of the one made from the spectrum, so its Fourier magnitudes must be one constant times
    `natural_magnitude_spectrum(size)` (in the columns that a real inverse FFT keeps exactly: not the first
    and the last), and that spectrum must fall with frequency as a photo's does."""
    size = 64
    natural = nb.natural_magnitude_spectrum(size)
    assert natural.shape == (3, size, size // 2 + 1)
    rgb = nb.MagnitudeConstrainedImage([3, 8], size, 0)().numpy().astype(np.float64)
    decorrelated = (np.log(rgb) - np.log1p(-rgb)) @ np.linalg.inv(LUCID.T)
    magnitudes = np.abs(np.fft.rfft2(decorrelated.transpose(0, 3, 1, 2)))[..., 1:-1]
    for image in magnitudes:
        ratio = image / natural[..., 1:-1]
        assert np.abs(ratio / np.median(ratio) - 1).max() < 1e-3, np.abs(ratio / np.median(ratio) - 1).max()
    frequencies = np.hypot(np.fft.fftfreq(size)[:, None], np.fft.rfftfreq(size)[None, :])
    for channel in natural:
        low, high = channel[(frequencies > 0) & (frequencies < 0.1)].mean(), channel[frequencies > 0.3].mean()
        assert low > 10 * high, (low, high)


# 7. The ladder's claim for transformations


def test_transformations_lower_the_fine_grain_against_plain_pixels(fresh, vgg16, strongest):
    """At the notebook's smoke size (80 px, 4 steps, the 2 strongest filters of the ladder's layer)."""
    nb, layer = fresh, "block4_conv3"
    filters, options = strongest(layer, 2), dict(image_size=80, steps=4, seed=42, progress=False)
    plain = nb.fine_grain_share(nb.visualize_filters(vgg16, layer, filters, method="pixels", **options))
    moved = nb.fine_grain_share(nb.visualize_filters(vgg16, layer, filters, method="pixels+transforms", **options))
    assert np.all(moved < plain - 0.05), (plain, moved)


# Colab's T4 path: mixed_float16, here on the CPU


@pytest.fixture(scope="module")
def vgg16_half(nb, weights):
    model = nb.load_vgg16(weights, precision="mixed_float16")
    assert model.get_layer("block5_conv3").compute_dtype == "float16"
    return model


# block5_conv3 at 96 px: at 80 px its map keeps a single unit inside the border, and that one unit's ascent is
# chaotic: a 1e-3 change of the float32 start moves its activation by up to 35 %, float16 or not.
FLOAT16_CASES = [("block1_conv2", 64), ("block4_conv3", 64), ("block5_conv3", 96)]
FLOAT16_FILTERS = {"block5_conv3": 4}  # block 5 alone: one filter's ascent there is chaotic, a layer's mean is not


@pytest.mark.slow_float16  # 45 s with TensorFlow 2.21, 5-6 min with 2.16 or 2.20 (their CPU float16 kernels)
def test_mixed_float16_makes_the_pictures_float32_makes(fresh, vgg16, vgg16_half, strongest):
    """The default method, 8 steps, the 2 (block 5: 4) strongest filters of three layers, same seeds in both precisions:
    no NaN, no picture left flat (judged on the float image: the contrast stretch would hide it), and the
    activation (measured with the float32 model) at least 85 % of float32's."""
    nb, started, report = fresh, time.perf_counter(), []
    for layer, size in FLOAT16_CASES:
        filters = strongest(layer, FLOAT16_FILTERS.get(layer, 2))
        options = dict(method="fourier", steps=8, image_size=size, seed=42, progress=False, floats=True)
        full, half = (nb.visualize_filters(model, layer, filters, **options) for model in (vgg16, vgg16_half))
        assert np.isfinite(half).all(), layer
        start = nb.METHODS["fourier"].image(filters, size, 42)().numpy()
        assert np.all(half.std(axis=(1, 2, 3)) > 2 * start.std(axis=(1, 2, 3))), (layer, half.std(axis=(1, 2, 3)))
        full_score, half_score = (nb.measure_activation(vgg16, layer, filters, nb.postprocess(p)) for p in (full, half))
        report.append(f"{layer} {filters}: float32 {np.round(full_score, 1)}, mixed_float16 {np.round(half_score, 1)}")
        # float16's risk is gradients lost to underflow, so weaker pictures: at least 85 % of float32's activation
        # (float16 ends higher at times: block 5 reached 1.17 times float32's with TensorFlow 2.16.1)
        assert half_score.mean() / full_score.mean() > 0.85, report[-1]
    print("\n".join(report), f"\n({time.perf_counter() - started:.0f} s)")


def input_gradient(nb, model, layer, filters, size, loss_scale):
    """The gradient that `render` hands the optimiser at the first step (of the image's variable), unscaled."""
    image = nb.FourierImage(filters, size, 42, field=nb.layer_geometries(model)[layer].field)
    objective = nb.filter_objective(layer)
    extract = nb.feature_extractor(model, *objective.layers)
    with tf.GradientTape() as tape:
        loss = -tf.reduce_sum(objective(extract(image()), tf.constant(filters))) * loss_scale
    return tape.gradient(loss, image.variable).numpy().astype(np.float64) / loss_scale


@pytest.mark.parametrize("layer, size", [FLOAT16_CASES[0]] + [pytest.param(*case, marks=pytest.mark.slow_float16)
                                                              for case in FLOAT16_CASES[1:]])
def test_float16_input_gradient_survives_with_the_loss_scale(nb, vgg16, vgg16_half, strongest, layer, size):
    """With LOSS_SCALE the float16 gradient is finite, zero almost nowhere float32's is not, points where
    float32's does, and is really computed in float16 (not identical). Without it: printed, for comparison."""
    filters = strongest(layer, 2)
    full = input_gradient(nb, vgg16, layer, filters, size, 1.0)
    live = full != 0
    lines = []
    for scale in (nb.LOSS_SCALE, 1.0):
        half = input_gradient(nb, vgg16_half, layer, filters, size, scale)
        zeros = float((half[live] == 0).mean())
        cosine = float((half * full).sum() / (np.linalg.norm(half) * np.linalg.norm(full) + 1e-30))
        lines.append(f"{layer} loss scale {scale:g}: finite {np.isfinite(half).all()}, zero where float32 is not "
                     f"{zeros:.2e}, 1 - cosine to float32 {1 - cosine:.1e}")
        if scale == nb.LOSS_SCALE:
            assert np.isfinite(half).all() and zeros < 1e-3 and cosine > 0.99, lines[-1]
            assert np.abs(half - full).max() > 0, "the gradient is float32's exactly: not computed in float16"
    print("\n".join(lines))


def test_the_fourier_image_scales_each_frequency_by_one_over_it(nb):
    """1/f: every coefficient's scale times its frequency is the image side (the zero frequency as 1/side), and the
    band limit leaves out what lies above 0.3 cycles per pixel for filters that see 60 px or more."""
    size, frequencies = 64, nb.spectrum_frequencies(64)
    scale = np.abs(nb.FourierImage([0], size, 0, field=10).scale.numpy())
    inside = (frequencies > 0) & (frequencies <= 0.5)  # 0.5 cycles per pixel: the finest an image holds
    assert np.allclose(scale[inside] * frequencies[inside], size, rtol=1e-5) and np.all(scale[frequencies > 0.5] == 0)
    limited = np.abs(nb.FourierImage([0], size, 0, field=92).scale.numpy())
    assert np.all(limited[frequencies > 0.3] == 0) and np.all(limited[frequencies <= 0.3] > 0)
    # and so its pictures start smooth: far less fine grain than the pixel image's start
    fourier = nb.postprocess(nb.FourierImage(range(4), size, 0, field=10)().numpy())
    pixels = nb.postprocess(nb.PixelImage(range(4), size, 0)().numpy())
    assert nb.fine_grain_share(fourier).max() < 0.5 * nb.fine_grain_share(pixels).min()
