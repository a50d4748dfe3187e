"""Draw the three explanatory diagrams of the companion text from code: numpy and matplotlib (PIL and scikit-image
for palette quantisation and the sample photo), no model.

    docs/images/diagram_convolution.png       one 3×3 filter on a 6×6 patch: multiply, sum, add the bias, ReLU
    docs/images/diagram_fourier.png           cosine basis images, white vs 1/f spectra, decorrelated colour
    docs/images/diagram_receptive_fields.png  the receptive field of one unit after each block of VGG16

Run from the repository's root (it takes a few seconds, no model is loaded):

    .venv/bin/python docs/make_diagrams.py

Every number drawn is computed here (the convolution, the spectra, the receptive fields); the receptive fields are
also checked against the published VGG16 values. Each PNG is palette-quantised if needed to stay under 150 KB.
"""

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402
from PIL import Image  # noqa: E402

OUT = Path(__file__).resolve().parent / "images"
DPI = 110
MAX_BYTES = 150 * 1024
HIGHLIGHT = "#2b8a3e"  # the one window and the cells it produces (green: apart from the red/blue cells)

# Lucid's colour correlation matrix, as the notebook's COLOR_CORRELATION: rgb = sigmoid(M @ v).
COLOR_CORRELATION = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
COLOR_CORRELATION /= np.max(np.linalg.norm(COLOR_CORRELATION, axis=0))

# VGG16's convolutional part: 3×3 convolutions (stride 1, 'same') and a 2×2 max-pool (stride 2) after each block.
VGG16_BLOCKS = [2, 2, 3, 3, 3]  # conv layers per block
BLOCK_COLOURS = ["#1971c2", "#2f9e44", "#f08c00", "#e03131", "#7048e8"]


def save(fig, name):
    """Save `fig` as docs/images/`name`; quantise to a 256-colour palette if the PNG is over MAX_BYTES."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    plt.close(fig)
    path = OUT / name
    if buffer.tell() > MAX_BYTES:
        buffer.seek(0)
        image = Image.open(buffer).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        image.save(path, optimize=True)
    else:
        path.write_bytes(buffer.getvalue())
    size = path.stat().st_size
    assert size <= MAX_BYTES, f"{name} is {size / 1024:.0f} KB"
    print(f"wrote {path.relative_to(OUT.parent.parent)} ({size / 1024:.0f} KB)")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def number(value):
    """A number as printed in a diagram, with a true minus sign."""
    return f"{value:g}".replace("-", "\u2212")


# --- 1. Convolution and ReLU ------------------------------------------------------------------------------------


def correlate_valid(image, kernel):
    """What a CNN layer computes (cross-correlation, called 'convolution'): the kernel slides without padding."""
    k = kernel.shape[0]
    rows, cols = image.shape[0] - k + 1, image.shape[1] - k + 1
    return np.array([[np.sum(image[r:r + k, c:c + k] * kernel) for c in range(cols)] for r in range(rows)])


def draw_grid(ax, values, x0, y0, cmap, vmin, vmax, title):
    """A matrix of numbered cells with its top-left corner at (x0, y0); y grows downwards."""
    for (r, c), value in np.ndenumerate(values):
        shade = (value - vmin) / (vmax - vmin)
        face = plt.get_cmap(cmap)(shade)
        ax.add_patch(Rectangle((x0 + c, y0 + r), 1, 1, facecolor=face, edgecolor="#868e96", linewidth=0.8))
        luminance = 0.299 * face[0] + 0.587 * face[1] + 0.114 * face[2]
        ax.text(x0 + c + 0.5, y0 + r + 0.5, number(value), ha="center", va="center", fontsize=12,
                color="black" if luminance > 0.5 else "white")
    ax.text(x0 + values.shape[1] / 2, y0 - 0.35, title, ha="center", va="bottom", fontsize=11)


def outline(ax, x, y, width, height):
    ax.add_patch(Rectangle((x, y), width, height, fill=False, edgecolor=HIGHLIGHT, linewidth=3.2, zorder=5))


def arrow(ax, x0, x1, y, label):
    ax.add_patch(FancyArrowPatch((x0, y), (x1, y), arrowstyle="-|>", mutation_scale=18, color="#343a40",
                                 linewidth=1.6))
    ax.text((x0 + x1) / 2, y - 0.25, label, ha="center", va="bottom", fontsize=11)


def diagram_convolution():
    """Input patch ∗ kernel → + bias → pre-activation → ReLU, with one window and its output cell highlighted.

    The input is a bright slanted bar on black (0/1). The kernel [-1, 0, 1] on each row answers to
    dark-to-bright edges from left to right (positive) and bright-to-dark ones (negative). The pre-activation is
    the valid cross-correlation plus the bias; the ReLU output is max(pre-activation, 0). All cell values are the
    arrays computed here.
    """
    patch = np.array([[0, 0, 1, 1, 0, 0],
                      [0, 0, 1, 1, 0, 0],
                      [0, 0, 0, 1, 1, 0],
                      [0, 0, 0, 1, 1, 0],
                      [0, 0, 0, 0, 1, 1],
                      [0, 0, 0, 0, 1, 1]])
    kernel = np.array([[-1, 0, 1]] * 3)
    bias = -1
    pre_activation = correlate_valid(patch, kernel) + bias
    relu = np.maximum(pre_activation, 0)
    window = (1, 1)  # top-left corner (row, column) of the highlighted window = the output cell it produces
    r, c = window
    products = patch[r:r + 3, c:c + 3] * kernel
    assert products.sum() + bias == pre_activation[r, c]

    fig, ax = plt.subplots(figsize=(11.6, 4.1))
    limit = np.abs(pre_activation).max()
    k_x, pre_x, relu_x = 8.2, 14.6, 21.4  # left edges of the kernel, pre-activation and ReLU grids
    draw_grid(ax, patch, 0, 0, "gray", -0.15, 1.15, "input patch (6×6)")
    ax.text(7.1, 3, "∗", ha="center", va="center", fontsize=26)
    draw_grid(ax, kernel, k_x, 1.5, "RdBu_r", -1.6, 1.6, "kernel (3×3)")
    arrow(ax, 11.5, 14.1, 3, f"+ bias ({number(bias)})")
    draw_grid(ax, pre_activation, pre_x, 1, "RdBu_r", -limit * 1.25, limit * 1.25, "pre-activation (4×4)")
    arrow(ax, 18.9, 21.0, 3, "ReLU")
    draw_grid(ax, relu, relu_x, 1, "RdBu_r", -limit * 1.25, limit * 1.25, "after ReLU (4×4)")

    outline(ax, c, r, 3, 3)
    outline(ax, k_x, 1.5, 3, 3)
    outline(ax, pre_x + c, 1 + r, 1, 1)
    outline(ax, relu_x + c, 1 + r, 1, 1)

    weighted = zip(kernel.ravel(), patch[r:r + 3, c:c + 3].ravel(), strict=True)
    terms = " + ".join(f"({number(w)})·{p}" if w < 0 else f"{w}·{p}" for w, p in weighted if w != 0)
    total = products.sum()
    ax.text(12.7, 6.55, f"green window (kernel weights 0 left out):  {terms} = {number(total)};   "
            f"{number(total)} + ({number(bias)}) = {number(pre_activation[r, c])};   ReLU → {number(relu[r, c])}",
            ha="center", va="center", fontsize=10.5, color=HIGHLIGHT)
    ax.text(12.7, 7.3, "one filter, one window: multiply, sum, add the bias, keep the positive part. "
            "Slide the window one cell to fill every output cell.", ha="center", va="center", fontsize=10.5,
            color="#495057")
    ax.set_xlim(-0.3, 25.7)
    ax.set_ylim(7.7, -1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.suptitle("A convolution and ReLU on numbers", fontsize=15, y=0.97)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.02)
    save(fig, "diagram_convolution.png")
    return patch, kernel, bias, pre_activation, relu


# --- 2. Spectrum and decorrelated colour ------------------------------------------------------------------------


def cosine_image(size, across, down):
    """cos(2π(across·x + down·y)/size): `across` cycles left to right, `down` cycles top to bottom."""
    y, x = np.mgrid[0:size, 0:size]
    return np.cos(2 * np.pi * (across * x + down * y) / size)


def spectrum_image(coefficients, weights):
    """Inverse real FFT of the coefficients times their weights, scaled to mean 0 and standard deviation 1."""
    size = coefficients.shape[-2]
    image = np.fft.irfft2(coefficients * weights, s=(size, size))
    image -= image.mean(axis=(-2, -1), keepdims=True)
    return image / image.std(axis=(-2, -1), keepdims=True)


def diagram_fourier():
    """Three rows, each computed as follows.

    Row 1: 2-D cosines cos(2π(a·x + d·y)/64), one Fourier coefficient each (a, d in cycles per image), and their
    sum with weights 1/|k|, |k| = hypot(a, d).
    Row 2: one set of random complex coefficients (Gaussian real and imaginary parts) on a 128×128 real-FFT grid,
    weighted equally ("white") or divided by their frequency |k| in cycles per image ("1/f"), then inverse-FFT'd
    and scaled to mean 0, standard deviation 1 (shown from −2.5 to 2.5).
    Row 3: swatches sigmoid(M @ (s·e_i)) for steps s along each decorrelated axis i (M = COLOR_CORRELATION, the
    columns of M are the axes' RGB directions) and sigmoid(s·e_i) along plain R, G, B; then three independent 1/f
    channels shown as sigmoid(v) (plain RGB) and as sigmoid(M @ v) (decorrelated colour, as the notebook does).
    """
    rng = np.random.default_rng(0)
    size = 128
    frequency = np.hypot(*np.meshgrid(np.fft.fftfreq(size) * size, np.fft.rfftfreq(size) * size, indexing="ij"))
    one_over_f = np.where(frequency > 0, 1.0 / np.maximum(frequency, 1.0), 0.0)  # no constant term (mean 0)
    flat = (frequency > 0).astype(float)
    coefficients = rng.normal(size=(3, size, size // 2 + 1)) + 1j * rng.normal(size=(3, size, size // 2 + 1))

    fig = plt.figure(figsize=(10.4, 9.9))
    title, *rows = fig.subfigures(4, 1, height_ratios=[0.09, 1.0, 1.2, 1.2], hspace=0.0)
    title.suptitle("Describing an image by its spectrum", fontsize=15, y=0.75)

    basis = [(1, 0), (0, 2), (3, 3), (8, 5)]
    axes = rows[0].subplots(1, len(basis) + 1)
    weighted_sum = sum(cosine_image(64, a, d) / np.hypot(a, d) for a, d in basis)
    panels = [(cosine_image(64, a, d), f"({a}, {d}):  |k| = {np.hypot(a, d):.3g}") for a, d in basis]
    panels.append((weighted_sum, "their sum, weights 1/|k|"))
    for ax, (image, label) in zip(axes, panels, strict=True):
        limit = np.abs(image).max()
        ax.imshow(image, cmap="gray", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(label, fontsize=10.5)
        ax.axis("off")
    axes[-1].set_title(axes[-1].get_title(), fontsize=10.5, color=HIGHLIGHT)
    rows[0].suptitle("1. Basis images: one frequency each, (across, down) in cycles per image. "
                     "Any image is a weighted sum of such waves.", fontsize=11.5, x=0.02, ha="left", y=0.97)
    rows[0].subplots_adjust(left=0.03, right=0.97, bottom=0.04, top=0.8, wspace=0.25)

    axes = rows[1].subplots(1, 3, width_ratios=[1, 1, 1.25])
    for ax, weights, label in [(axes[0], flat, "equal weights (white):\npixel noise"),
                               (axes[1], one_over_f, "weights 1/|k|:\nsmooth blobs")]:
        ax.imshow(spectrum_image(coefficients[0], weights), cmap="gray", vmin=-2.5, vmax=2.5,
                  interpolation="nearest")
        ax.set_title(label, fontsize=11)
        ax.axis("off")
    radii = np.arange(1, size // 2 + 1)
    axes[2].plot(radii, np.ones_like(radii), color="#495057", linewidth=2, label="equal weights")
    axes[2].plot(radii, 1.0 / radii, color=HIGHLIGHT, linewidth=2, label="1/|k|")
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].set_xlabel("frequency |k| (cycles per image)")
    axes[2].set_ylabel("weight of a coefficient")
    axes[2].legend(frameon=False, fontsize=10)
    axes[2].spines[["top", "right"]].set_visible(False)
    rows[1].suptitle("2. The same random coefficients, two weightings (the notebook's Fourier images use 1/|k|)",
                     fontsize=11.5, x=0.02, ha="left", y=0.97)
    rows[1].subplots_adjust(left=0.04, right=0.98, bottom=0.15, top=0.75, wspace=0.35)

    steps = np.arange(-3, 4)
    axis_names = ["axis 1 (brightness)", "axis 2 (blue ↔ orange)", "axis 3 (green ↔ purple)"]
    swatches = np.array([[sigmoid(COLOR_CORRELATION @ (s * np.eye(3)[i])) for s in steps] for i in range(3)]
                        + [[sigmoid(s * np.eye(3)[i]) for s in steps] for i in range(3)])
    labels = [f"{name}\nRGB direction ({', '.join(number(round(x, 2)) for x in COLOR_CORRELATION[:, i])})"
              for i, name in enumerate(axis_names)] + ["R", "G", "B"]
    axes = rows[2].subplots(1, 3, width_ratios=[1.6, 1, 1])
    axes[0].imshow(swatches, interpolation="nearest")
    axes[0].set_xticks(range(len(steps)), [f"+{s}" if s > 0 else number(s) for s in steps])
    axes[0].set_yticks(range(len(labels)), labels, fontsize=9.5)
    axes[0].axhline(2.5, color="white", linewidth=5)
    axes[0].set_xlabel("step s from mid-grey (v = 0)")
    axes[0].tick_params(length=0)
    for spine in axes[0].spines.values():
        spine.set_visible(False)
    channels = spectrum_image(coefficients, one_over_f[None]).transpose(1, 2, 0)  # three independent 1/f channels
    for ax, image, label in [(axes[1], sigmoid(channels), "1/f noise as plain R, G, B:\ngaudy colours"),
                             (axes[2], sigmoid(channels @ COLOR_CORRELATION.T),
                              "the same noise through M:\nmostly brightness")]:
        ax.imshow(image, interpolation="nearest")
        ax.set_title(label, fontsize=11)
        ax.axis("off")
    rows[2].suptitle("3. Decorrelated colour, rgb = sigmoid(M v): equal steps change brightness most and colour "
                     "little, as in photos", fontsize=11.5, x=0.02, ha="left", y=0.97)
    rows[2].subplots_adjust(left=0.24, right=0.99, bottom=0.11, top=0.86, wspace=0.12)
    save(fig, "diagram_fourier.png")


# --- 3. Receptive fields ----------------------------------------------------------------------------------------


def vgg16_receptive_fields():
    """Receptive field (px) of one unit after each conv layer: field += (kernel − 1)·jump; jump *= stride."""
    field, jump, fields = 1, 1, {}
    for block, convs in enumerate(VGG16_BLOCKS, start=1):
        for conv in range(1, convs + 1):
            field += (3 - 1) * jump  # 3×3 convolution, stride 1
            fields[f"block{block}_conv{conv}"] = field
        if block < len(VGG16_BLOCKS):  # the max-pool after the block (block5's comes after the last conv layer)
            field += (2 - 1) * jump
            jump *= 2
    return fields


def diagram_receptive_fields():
    """Left: the 224×224 input (a faint photo) with, centred, the receptive field of one unit of each block's last
    conv layer. Right: the field of every conv layer, as bars coloured by block."""
    from skimage import data, transform  # imported here: only this diagram needs it

    fields = vgg16_receptive_fields()
    assert list(fields.values()) == [3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196], fields
    last = {f"block{b}_conv{n}": fields[f"block{b}_conv{n}"] for b, n in enumerate(VGG16_BLOCKS, start=1)}
    assert list(last.values()) == [5, 14, 40, 92, 196], last

    side = 224
    photo = data.chelsea()
    top, left = 0, (photo.shape[1] - photo.shape[0]) // 2
    photo = transform.resize(photo[top:top + photo.shape[0], left:left + photo.shape[0]], (side, side),
                             anti_aliasing=True)
    faint = 0.35 * photo + 0.65 * 0.93

    fig, (ax, bars) = plt.subplots(1, 2, figsize=(11.2, 5.6), width_ratios=[1.25, 1])
    ax.imshow(faint, extent=(0, side, side, 0), interpolation="bilinear")
    centre = side / 2
    label_rows = np.linspace(6, 118, len(last))[::-1]  # label heights in the margin, the smallest field lowest
    for (name, width), colour, label_y in zip(last.items(), BLOCK_COLOURS, label_rows, strict=True):
        corner = centre - width / 2
        ax.add_patch(Rectangle((corner, corner), width, width, fill=False, edgecolor=colour, linewidth=2.2))
        ax.annotate(f"{name}: {width} px", xy=(corner + width, corner), xytext=(side + 10, label_y),
                    color=colour, fontsize=11, va="center", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": colour, "linewidth": 1.1, "shrinkA": 0, "shrinkB": 0})
    ax.set_xlim(0, side)
    ax.set_ylim(side, 0)
    ax.set_xticks([0, 56, 112, 168, 224])
    ax.set_yticks([0, 56, 112, 168, 224])
    ax.tick_params(labelsize=9)
    ax.set_title("input image, 224 × 224 px", fontsize=11)

    names = list(fields)
    colours = [BLOCK_COLOURS[int(name[5]) - 1] for name in names]
    positions = np.arange(len(names))
    bars.bar(positions, list(fields.values()), color=colours, width=0.75)
    for x, value in zip(positions, fields.values(), strict=True):
        bars.text(x, value + 3, f"{value}", ha="center", va="bottom", fontsize=9)
    bars.axhline(side, color="#868e96", linestyle="--", linewidth=1)
    bars.text(-0.4, side + 3, "input size 224", color="#868e96", fontsize=9, va="bottom")
    bars.set_xticks(positions, [name.replace("block", "b").replace("_conv", ".") for name in names], rotation=90,
                    fontsize=9)
    bars.set_ylim(0, 250)
    bars.set_ylabel("receptive field (px)")
    bars.set_title("every conv layer (block.conv)", fontsize=11)
    bars.spines[["top", "right"]].set_visible(False)

    fig.suptitle("What one unit sees: the receptive field through VGG16's blocks", fontsize=15)
    fig.text(0.5, 0.02, "Rule: field += (kernel − 1) × jump; jump ×= stride.  Each 3×3 convolution (stride 1) adds "
             "2 × jump, each 2×2 max-pool adds 1 × jump\nand doubles the jump (the distance, in input pixels, between "
             "neighbouring units). Field and jump start at 1.", ha="center", fontsize=10, color="#495057")
    fig.subplots_adjust(left=0.05, right=0.98, top=0.88, bottom=0.17, wspace=0.55)
    save(fig, "diagram_receptive_fields.png")
    return fields


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    diagram_convolution()
    diagram_fourier()
    diagram_receptive_fields()


if __name__ == "__main__":
    main()
