"""The real-photo sections: receptive-field geometry, dataset patches, the recorded ascent, the figures
(plot_tiles), and the memory of pictures that the explorer and the atlas use."""

import matplotlib.figure
import matplotlib.patches
import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

# (receptive field, jump, centre of unit 0) worked out by hand: a 3×3 'same' convolution adds 2 jumps to the
# field and keeps the centre; a 2×2 stride-2 pooling adds 1 jump, moves the centre half a jump, doubles the jump.
HAND_COMPUTED = {
    "block1_conv1": (3, 1, 0.0), "block1_conv2": (5, 1, 0.0), "block1_pool": (6, 2, 0.5),
    "block2_conv1": (10, 2, 0.5), "block2_conv2": (14, 2, 0.5), "block2_pool": (16, 4, 1.5),
    "block3_conv1": (24, 4, 1.5), "block3_conv2": (32, 4, 1.5), "block3_conv3": (40, 4, 1.5),
    "block3_pool": (44, 8, 3.5), "block4_conv1": (60, 8, 3.5), "block4_conv2": (76, 8, 3.5),
    "block4_conv3": (92, 8, 3.5), "block4_pool": (100, 16, 7.5), "block5_conv1": (132, 16, 7.5),
    "block5_conv2": (164, 16, 7.5), "block5_conv3": (196, 16, 7.5), "block5_pool": (212, 32, 15.5),
}


def hand_box(layer_name, row, column):
    """(top, left, side) of unit (row, column)'s receptive field from the hand-computed table alone."""
    field, jump, centre = HAND_COMPUTED[layer_name]
    half = (field - 1) / 2  # centre ± half, and with these numbers always a whole pixel
    return int(centre + row * jump - half), int(centre + column * jump - half), field


def hand_cut(photo, top, left, side, fill):
    """The square at (top, left) of `photo` padded with `fill` on every side: an independent `cut_patch`."""
    padded = np.empty((photo.shape[0] + 2 * side, photo.shape[1] + 2 * side, 3), np.uint8)
    padded[:] = fill
    padded[side:side + photo.shape[0], side:side + photo.shape[1]] = photo
    return padded[top + side:top + 2 * side, left + side:left + 2 * side]


def test_layer_geometries_match_hand_computed_values(nb, vgg16):
    geometries = nb.layer_geometries(vgg16)
    assert geometries.pop(vgg16.inputs[0]._keras_history.operation.name) == (1, 1, 0.0)  # the input: each pixel itself
    assert {name: tuple(g) for name, g in geometries.items()} == HAND_COMPUTED
    assert {name: g.field for name, g in geometries.items()} == {name: v[0] for name, v in HAND_COMPUTED.items()}


@pytest.mark.parametrize("layer_name, row, column", [
    ("block1_conv2", 0, 0), ("block2_conv2", 7, 3), ("block3_conv3", 5, 7), ("block4_conv1", 6, 4),
])
def test_receptive_box_is_exactly_what_the_unit_sees(nb, vgg16, layer_name, row, column):
    """The input pixels that reach a unit (non-zero gradient) fill the box, clipped to the image."""
    size = 96
    image = tf.Variable(tf.random.stateless_normal((1, size, size, 3), seed=(1, 2)) * 50.0)
    key = f"{layer_name}:pre_relu"  # no ReLU: every unit has a gradient
    extract = nb.feature_extractor(vgg16, key)
    with tf.GradientTape() as tape:
        unit = tf.reduce_sum(extract(image)[key][0, row, column, :])
    reach = np.abs(tape.gradient(unit, image).numpy()[0]).sum(axis=-1) > 0
    top, left, side = nb.receptive_box(nb.layer_geometries(vgg16)[layer_name], row, column)
    assert (top, left, side) == hand_box(layer_name, row, column)
    expected = np.zeros_like(reach)
    expected[max(top, 0):top + side, max(left, 0):left + side] = True
    assert np.array_equal(reach, expected), (layer_name, top, left, side)


def test_cut_patch_shows_the_mean_colour_past_the_edge(nb):
    photo = np.random.default_rng(0).integers(0, 256, (50, 60, 3), dtype=np.uint8)
    patch = nb.cut_patch(photo, -4, 55, 10)
    assert patch.shape == (10, 10, 3) and patch.dtype == np.uint8
    assert np.array_equal(patch[4:, :5], photo[:6, 55:60])
    assert np.all(patch[:4] == nb.IMAGENET_MEAN_RGB) and np.all(patch[:, 5:] == nb.IMAGENET_MEAN_RGB)
    assert np.array_equal(patch, hand_cut(photo, -4, 55, 10, nb.IMAGENET_MEAN_RGB))


def grey_photo(nb, height, width):
    """A photo the network sees as all zeros: every filter gives the same response everywhere."""
    return np.broadcast_to(nb.IMAGENET_MEAN_RGB, (height, width, 3)).copy()


@pytest.mark.parametrize("layer_name", ["block2_conv2", "block3_conv3"])
def test_top_patch_is_where_a_planted_pattern_is(nb, vgg16, layer_name):
    """Plant a bright checkerboard in one of three grey photos: the strongest unit must be on it, and its
    patch must be the photo's pixels around it."""
    top, left, side = 70, 90, 12
    photos = {"plain": grey_photo(nb, 160, 200), "planted": grey_photo(nb, 180, 220),
              "also plain": grey_photo(nb, 120, 120)}
    checkerboard = (np.indices((side, side)).sum(axis=0) // 3 % 2 * 255).astype(np.uint8)
    photos["planted"][top:top + side, left:left + side] = checkerboard[..., None]
    activations = nb.photo_activations(vgg16, layer_name, photos)
    filter_index = int(np.argmax(activations["planted"].max(axis=(0, 1))
                                 - activations["plain"].max(axis=(0, 1))))
    best = nb.top_activating_patches(vgg16, layer_name, filter_index, photos, count=1)[0]
    feature_map = activations["planted"][..., filter_index]
    assert best.photo_name == "planted"
    assert (best.row, best.column) == np.unravel_index(np.argmax(feature_map), feature_map.shape)
    assert best.activation == pytest.approx(feature_map.max(), rel=1e-5)
    box_top, box_left, field = hand_box(layer_name, best.row, best.column)
    assert box_top <= top + side // 2 < box_top + field and box_left <= left + side // 2 < box_left + field
    assert np.array_equal(best.pixels, hand_cut(photos["planted"], box_top, box_left, field, nb.IMAGENET_MEAN_RGB))
    assert (best.pixels != nb.IMAGENET_MEAN_RGB).any(axis=-1).sum() > side * side // 4  # the pattern is in it


@pytest.mark.parametrize("layer_name", ["block3_conv3", "block4_conv1"])
def test_top_patches_are_the_receptive_field_cut_at_the_unit(nb, vgg16_fast, layer_name):
    """Every patch is exactly the square the hand-computed geometry gives for its unit, cut from its photo (mean
    colour past the edge): a centre one pixel off or a field too small fails it."""
    photos = nb.load_photos(["astronaut", "coffee", "coins"], max_side=128)
    activations = nb.photo_activations(vgg16_fast, layer_name, photos)
    patches = nb.top_activating_patches(vgg16_fast, layer_name, 3, photos, count=6, per_photo=2,
                                        activations=activations)
    assert patches
    for patch in patches:
        feature_map = activations[patch.photo_name][..., 3]
        assert patch.activation == pytest.approx(float(feature_map[patch.row, patch.column]), rel=1e-6)
        top, left, side = hand_box(layer_name, patch.row, patch.column)
        assert patch.pixels.shape == (side, side, 3), (patch.photo_name, patch.pixels.shape, side)
        expected = hand_cut(photos[patch.photo_name], top, left, side, nb.IMAGENET_MEAN_RGB)
        assert np.array_equal(patch.pixels, expected), (patch.photo_name, patch.row, patch.column)


def test_top_patches_are_sorted_and_spread(nb, vgg16_fast):
    photos = nb.load_photos(["astronaut", "chelsea", "coffee"], max_side=160)
    patches = nb.top_activating_patches(vgg16_fast, "block3_conv1", 5, photos, count=6, per_photo=2)
    assert len(patches) == 6
    assert [p.activation for p in patches] == sorted((p.activation for p in patches), reverse=True)
    assert all(p.pixels.shape == (24, 24, 3) and p.pixels.dtype == np.uint8 for p in patches)
    for name in photos:
        assert sum(p.photo_name == name for p in patches) <= 2


def test_top_patches_refuse_activations_of_another_layer(nb, vgg16_fast):
    photos = nb.load_photos(["astronaut"], max_side=128)
    wrong = nb.photo_activations(vgg16_fast, "block3_conv1", photos)
    with pytest.raises(ValueError, match="activations must be photo_activations"):
        nb.top_activating_patches(vgg16_fast, "block4_conv1", 0, photos, activations=wrong)


def test_load_photos_gives_uint8_rgb_within_the_size(nb):
    photos = nb.load_photos(["camera", "rocket", "stereo_motorcycle"], max_side=200)
    for photo in photos.values():
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3 and max(photo.shape) == 200
    for not_a_photo in ("kitten", "download_all", "horse"):
        with pytest.raises(ValueError, match=f"photo name must be one of 'astronaut'.*not '{not_a_photo}'"):
            nb.load_photos([not_a_photo])


@pytest.mark.parametrize("photos, error, message", [
    ([], ValueError, "photos is empty"),
    ([np.zeros((40, 40), np.uint8)], TypeError, r"uint8 RGB array \(height, width, 3\).*\(40, 40\)"),
    ([np.zeros((40, 40, 4), np.uint8)], TypeError, r"\(40, 40, 4\)"),
    ([np.zeros((40, 40, 3), np.float32)], TypeError, "float32"),
    ([[[0, 0, 0]]], TypeError, r"uint8 RGB array \(height, width, 3\)"),
    (np.zeros((40, 40, 3), np.uint8), TypeError, r"pass \[photo\]"),
    ([np.zeros((8, 40, 3), np.uint8)], ValueError, "photo 'photo 0' is 40 × 8 px; each side must be"),
])
def test_bad_photos_get_clear_errors(nb, vgg16_fast, photos, error, message):
    with pytest.raises(error, match=message):
        nb.top_activating_patches(vgg16_fast, "block5_conv1", 0, photos)


def test_bad_layer_and_filter_get_clear_errors(nb, vgg16_fast):
    photos = [np.zeros((64, 64, 3), np.uint8)]
    with pytest.raises(ValueError, match="filter index.*between 0 and 63, got 64"):
        nb.top_activating_patches(vgg16_fast, "block1_conv1", 64, photos)
    with pytest.raises(TypeError, match="must be"):
        nb.top_activating_patches(vgg16_fast, "block1_conv1", [1, 2], photos)
    with pytest.raises(ValueError, match="'block3_conv' is not a layer of 'vgg16' whose output is a feature "
                                         "map.*Did you mean"):
        nb.photo_activations(vgg16_fast, "block3_conv", photos)


def test_record_ascent_traces_the_same_ascent(nb, vgg16, monkeypatch):
    monkeypatch.setattr(nb, "MADE", {})  # every picture below is really made
    options = dict(image_size=64, steps=12, seed=4, method="fourier")
    curve, snapshot_steps, snapshots = nb.record_ascent(vgg16, "block3_conv1", 7, frames=4, **options)
    assert curve.shape == (12,) and snapshot_steps == [0, 4, 7, 11]
    assert snapshots.shape == (4, 64, 64, 3) and snapshots.dtype == np.uint8
    measured = nb.measure_activation(vgg16, "block3_conv1", [7] * 4, snapshots)
    assert measured[-1] > 5 * measured[0] + 1 and curve[-1] > curve[0]
    # The pixel method keeps no running average: its last snapshot is the image `visualize_filters` ends with.
    pixels = dict(options, method="pixels")
    _, _, snapshots = nb.record_ascent(vgg16, "block3_conv1", 7, frames=2, **pixels)
    nb.MADE.clear()
    image = nb.visualize_filters(vgg16, "block3_conv1", [7], progress=False, floats=True, **pixels)[0]
    assert np.array_equal(snapshots[-1], np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8))


def test_save_gif_writes_every_frame_labelled(nb, tmp_path):
    values = (0, 80, 160, 240)
    frames = np.stack([np.full((48, 64, 3), value, np.uint8) for value in values])
    original = frames.copy()
    path = nb.save_gif(frames, [0, 5, 10, 15], tmp_path / "ascent.gif")
    assert np.array_equal(frames, original)  # the caller's frames are not drawn on
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.info["loop"] == 0
        read = []
        for number in range(gif.n_frames):
            gif.seek(number)
            read.append(np.asarray(gif.convert("RGB"), np.int16))
    labels = []
    for picture, value in zip(read, values, strict=True):
        assert picture.shape == (48, 64, 3)
        assert np.abs(picture[:24] - value).max() <= 2  # untouched above the label
        label = np.abs(picture - value).max(axis=-1) > 40
        assert label[-16:, :60].sum() > 20 and not label[:24].any()  # the label sits in the lower left corner
        labels.append(label)
    assert not np.array_equal(labels[0], labels[1])  # "step 1" and "step 6" are different labels


def test_plot_tiles_draws_rows_labels_and_boxes(nb):
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    rows = [[nb.Tile(picture, "first\ntwo lines", box=(3, 5, 20)), nb.Tile(rng.random((10, 12)), "map", cmap="magma"),
             nb.Tile(picture, "third")],
            [nb.Tile(None, "silent on every photo")]]
    open_figures = plt.get_fignums()
    figure = nb.plot_tiles(rows, title="A title", caption="Weights: test.", row_labels=["row one", "row two"])
    assert isinstance(figure, matplotlib.figure.Figure) and plt.get_fignums() == open_figures  # not via pyplot
    axes = figure.axes
    assert len(axes) == 6  # two rows of three, the short row padded with empty axes
    assert [axis.get_title() for axis in axes] == ["first\ntwo lines", "map", "third", "", "", ""]
    assert [len(axis.images) for axis in axes] == [1, 1, 1, 0, 0, 0]
    assert axes[1].images[0].get_cmap().name == "magma"
    assert [text.get_text() for text in axes[3].texts] == ["silent on every photo"]
    assert axes[0].get_ylabel() == "row one" and axes[3].get_ylabel() == "row two" and axes[1].get_ylabel() == ""
    [box] = [p for p in axes[0].patches if isinstance(p, matplotlib.patches.Rectangle)]
    assert box.get_xy() == (5 - 0.5, 3 - 0.5) and box.get_width() == 20 and box.get_height() == 20
    assert not [p for p in axes[2].patches if isinstance(p, matplotlib.patches.Rectangle)]
    assert figure.get_suptitle() == "A title"
    assert "Weights: test." in [text.get_text() for text in figure.texts]


def counting(function, calls):
    def counted(*args, **kwargs):
        calls.append((args, kwargs))
        return function(*args, **kwargs)
    return counted


def test_a_request_made_before_is_served_from_memory_and_any_other_setting_is_made(nb, vgg16_fast, monkeypatch):
    """The atlas and the explorer rely on it: a picture is reused only when its whole recipe is the same."""
    monkeypatch.setattr(nb, "MADE", {})
    settings = dict(method="fourier", steps=1, image_size=80, seed=0, progress=False)
    made = nb.visualize_filters(vgg16_fast, "block3_conv3", [0, 1], **settings)
    monkeypatch.setattr(nb, "render", counting(nb.render, calls := []))
    again = nb.visualize_filters(vgg16_fast, "block3_conv3", [1], **settings)
    default_rate = nb.visualize_filters(vgg16_fast, "block3_conv3", [1], **settings, learning_rate=0.4)
    assert not calls and np.array_equal(again[0], made[1]) and np.array_equal(default_rate[0], made[1])
    for change in [dict(learning_rate=0.2), dict(method="maco"), dict(steps=2), dict(seed=1), dict(image_size=96),
                   dict(objective=nb.neuron_objective("block3_conv3"))]:
        nb.visualize_filters(vgg16_fast, "block3_conv3", [1], **{**settings, **change})
    assert len(calls) == 6
