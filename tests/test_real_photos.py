"""The real-photo sections: receptive-field geometry, dataset patches, the recorded ascent, the explorer
and the atlas."""

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


def test_layer_geometries_match_hand_computed_values(nb, vgg16):
    geometries = nb.layer_geometries(vgg16)
    assert {name: tuple(g) for name, g in geometries.items()} == HAND_COMPUTED
    assert nb.receptive_fields(vgg16) == {name: value[0] for name, value in HAND_COMPUTED.items()}


@pytest.mark.parametrize("layer_name, row, column", [
    ("block1_conv2", 0, 0), ("block2_conv2", 7, 3), ("block3_conv3", 5, 7), ("block4_conv1", 6, 4),
])
def test_receptive_box_is_exactly_what_the_unit_sees(nb, vgg16, layer_name, row, column):
    """The input pixels that reach a unit (non-zero gradient) fill the box, clipped to the image."""
    size = 96
    image = tf.Variable(tf.random.stateless_normal((1, size, size, 3), seed=(1, 2)) * 50.0)
    extractor = nb.feature_extractor(vgg16, layer_name, pre_relu=True)  # no ReLU: every unit has a gradient
    with tf.GradientTape() as tape:
        unit = tf.reduce_sum(tf.cast(extractor(image), tf.float32)[0, row, column, :])
    reach = np.abs(tape.gradient(unit, image).numpy()[0]).sum(axis=-1) > 0
    top, left, side = nb.receptive_box(nb.layer_geometries(vgg16)[layer_name], row, column)
    expected = np.zeros_like(reach)
    expected[max(top, 0):top + side, max(left, 0):left + side] = True
    assert np.array_equal(reach, expected), (layer_name, top, left, side)


def test_cut_patch_shows_the_mean_colour_past_the_edge(nb):
    photo = np.random.default_rng(0).integers(0, 256, (50, 60, 3), dtype=np.uint8)
    patch = nb.cut_patch(photo, -4, 55, 10)
    assert patch.shape == (10, 10, 3) and patch.dtype == np.uint8
    assert np.array_equal(patch[4:, :5], photo[:6, 55:60])
    assert np.all(patch[:4] == nb.IMAGENET_MEAN_RGB) and np.all(patch[:, 5:] == nb.IMAGENET_MEAN_RGB)


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
    box_top, box_left, field = nb.receptive_box(nb.layer_geometries(vgg16)[layer_name], best.row, best.column)
    assert box_top <= top + side // 2 < box_top + field and box_left <= left + side // 2 < box_left + field
    assert np.array_equal(best.pixels, nb.cut_patch(photos["planted"], box_top, box_left, field))
    assert (best.pixels != nb.IMAGENET_MEAN_RGB).any(axis=-1).sum() > side * side // 4  # the pattern is in it


def test_top_patches_are_sorted_and_spread(nb, vgg16_fast):
    photos = nb.load_photos(["astronaut", "chelsea", "coffee"], max_side=160)
    patches = nb.top_activating_patches(vgg16_fast, "block3_conv1", 5, photos, count=6, per_photo=2)
    assert len(patches) == 6
    assert [p.activation for p in patches] == sorted((p.activation for p in patches), reverse=True)
    assert all(p.pixels.shape == (24, 24, 3) and p.pixels.dtype == np.uint8 for p in patches)
    for name in photos:
        assert sum(p.photo_name == name for p in patches) <= 2


def test_load_photos_gives_uint8_rgb_within_the_size(nb):
    photos = nb.load_photos(["camera", "rocket", "stereo_motorcycle"], max_side=200)
    for photo in photos.values():
        assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3 and max(photo.shape) == 200
    for not_a_photo in ("kitten", "download_all", "horse"):
        with pytest.raises(ValueError, match=f"'{not_a_photo}' is not one of the photos that come with scikit-image"):
            nb.load_photos([not_a_photo])


@pytest.mark.parametrize("photos, error, message", [
    ([], ValueError, "photos is empty"),
    ([np.zeros((40, 40), np.uint8)], ValueError, r"shape \(height, width, 3\).*got shape \(40, 40\)"),
    ([np.zeros((40, 40, 4), np.uint8)], ValueError, r"got shape \(40, 40, 4\)"),
    ([np.zeros((40, 40, 3), np.float32)], TypeError, "got dtype float32"),
    ([[[0, 0, 0]]], TypeError, "got list"),
    (np.zeros((40, 40, 3), np.uint8), TypeError, r"pass \[photo\]"),
    ([np.zeros((8, 40, 3), np.uint8)], ValueError, "photo 0 is 8 px high and 40 px wide; this layer needs at least 16"),
])
def test_bad_photos_get_clear_errors(nb, vgg16_fast, photos, error, message):
    with pytest.raises(error, match=message):
        nb.top_activating_patches(vgg16_fast, "block5_conv1", 0, photos)


def test_bad_layer_and_filter_get_clear_errors(nb, vgg16_fast):
    photos = [np.zeros((64, 64, 3), np.uint8)]
    with pytest.raises(ValueError, match="out of range: block1_conv1 has 64 filters"):
        nb.top_activating_patches(vgg16_fast, "block1_conv1", 64, photos)
    with pytest.raises(TypeError, match="single int"):
        nb.top_activating_patches(vgg16_fast, "block1_conv1", [1, 2], photos)
    with pytest.raises(ValueError, match="No layer named 'block3_conv'.*Did you mean"):
        nb.photo_activations(vgg16_fast, "block3_conv", photos)


def test_record_ascent_traces_the_same_ascent(nb, vgg16):
    options = dict(image_size=64, steps=12, seed=4, method="fourier")
    picture, curve, snapshot_steps, snapshots = nb.record_ascent(vgg16, "block3_conv1", 7, frames=4, **options)
    assert curve.shape == (12,) and snapshot_steps == [0, 4, 7, 11]
    assert snapshots.shape == (4, 64, 64, 3) and snapshots.dtype == np.uint8
    assert np.array_equal(picture, nb.visualize_filters(vgg16, "block3_conv1", [7], progress=False, **options)[0])
    measured = nb.measure_activation(vgg16, "block3_conv1", [7] * 4, snapshots)
    assert measured[-1] > 5 * measured[0] + 1 and curve[-1] > curve[0]


def test_save_gif_writes_every_frame(nb, tmp_path):
    frames = np.stack([np.full((48, 64, 3), value, np.uint8) for value in (0, 80, 160, 240)])
    labelled = nb.label_frames(frames, [0, 5, 10, 15])
    assert labelled.shape == frames.shape and labelled.dtype == np.uint8
    assert np.all(labelled[:, :24] == frames[:, :24]) and np.all((labelled != frames).any(axis=(1, 2, 3)))
    path = nb.save_gif(labelled, tmp_path / "sub" / "ascent.gif")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4 and gif.info["loop"] == 0


def test_explorer_renders_only_when_asked(nb, vgg16_fast, monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(nb, "display", shown.append)
    monkeypatch.setattr(nb, "photo_activations", counting(nb.photo_activations, calls := []))
    photos = nb.load_photos(["astronaut", "coffee"], max_side=128)
    responses = nb.measure_photos(vgg16_fast, photos)
    explorer = nb.build_explorer(vgg16_fast, photos, responses, steps=2, image_size=64)
    (layer, filter_index), (steps, method, render) = (row.children for row in explorer.children[:2])
    assert filter_index.value == nb.strongest_filters(responses[layer.value], 1)[0]
    layer.value = "block2_conv1"
    assert filter_index.max == 127 and not shown and not calls  # nothing heavy yet
    assert filter_index.value == nb.strongest_filters(responses["block2_conv1"], 1)[0]
    filter_index.value, steps.value, method.value = 3, 1, "maco"
    render.click()
    assert len(shown) == 1 and len(calls) == 1 and not render.disabled
    assert "Rendered block2_conv1 · filter 3 with 'maco', 1 step: activation" in capsys.readouterr().out
    titles = [axis.get_title() for axis in shown[0].axes]
    assert titles[0].startswith("block2_conv1 · filter 3\nsynthetic, mean ")
    assert all(title.startswith(("astronaut", "coffee")) and "activation" in title for title in titles[1:] if title)
    filter_index.value = 4
    render.click()  # same layer: the photos' feature maps are reused
    assert len(shown) == 2 and len(calls) == 1


def counting(function, calls):
    def counted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)
    return counted


def test_export_atlas_writes_one_grid_per_conv_layer_and_reuses_what_was_made(nb, vgg16_fast, tmp_path,
                                                                                monkeypatch):
    responses = nb.measure_photos(vgg16_fast, nb.load_photos(["astronaut", "coffee"], max_side=128))
    first_three, _ = nb.filters_that_fire(responses["block3_conv3"], 3)  # a grid of 3; the atlas takes 2 of them
    made = {"block3_conv3": (first_three, np.full((3, 80, 80, 3), 200, np.uint8))}
    monkeypatch.setattr(nb, "visualize_filters", counting(nb.visualize_filters, calls := []))
    atlas = nb.export_atlas(vgg16_fast, tmp_path, responses, filters_per_layer=2, image_size=80, steps=2, made=made)
    assert len(calls) == 12 and "block3_conv3" not in [call[1] for call in calls]
    assert np.shares_memory(atlas["block3_conv3"].pictures, made["block3_conv3"][1])
    assert atlas["block3_conv3"].filter_indices == first_three[:2]
    files = sorted(path.name for path in (tmp_path / "atlas").iterdir())
    assert list(atlas) == nb.conv_layer_names(vgg16_fast) and len(files) == 13
    assert all(page.pictures.shape == (2, 80, 80, 3) and len(page.filter_indices) == 2 for page in atlas.values())
    overview = nb.plot_atlas_overview(atlas, nb.receptive_fields(vgg16_fast))
    assert len(overview.axes) == 26 and overview.axes[0].get_ylabel() == "block1_conv1\n3 px"
    plt.close(overview)
    assert files[0] == "01_block1_conv1.jpg" and files[-1] == "13_block5_conv3.jpg"
    with Image.open(tmp_path / "atlas" / files[-1]) as grid:
        assert grid.size[0] > 100 and np.asarray(grid).std() > 10
