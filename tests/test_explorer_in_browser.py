"""The explorer works for a reader: in JupyterLab, in a real (headless) Chromium, after *Run All*.

It starts JupyterLab on 127.0.0.1 (a free port, token auth) in a temporary folder holding a copy of the
notebook, opens the notebook in Debian's Chromium driven by Playwright, runs all cells in smoke mode
(the server's environment carries SMOKE_TEST=1 and VGG16_WEIGHTS, and the kernel inherits it), then uses
the explorer the way a reader does: press Render, check that the figure (the filter's picture beside the
photo patches) appears in the explorer's output, change the filter, render again, check the new figure.

It relies only on the explorer's widget labels (dropdowns "layer" and "method", int box "filter", slider
"steps", button "Render") and on the line the explorer prints after a successful render, which starts with
"Rendered " and names the layer, the filter and the number of photo patches: no cell numbers, no titles.

It skips, saying why, where /usr/bin/chromium, Playwright's Python package or JupyterLab is missing, or where
ipywidgets is older than 8 (JupyterLab 4 cannot show ipywidgets 7 widgets), so that a reader's plain `pytest`
still works; with REQUIRE_BROWSER_TEST=1 (set by .ci/run) it fails instead. .ci/run runs it in its first
environment (the newest versions) and deselects it (-m "not browser") in the other two.
Playwright never downloads a browser here: it drives the Chromium at /usr/bin/chromium
(`apt-get install -y chromium`). Screenshots go to $BROWSER_TEST_SCREENSHOTS when set, and always, on a
failure, to the test's temporary folder (the failure message says where).
"""

import base64
import importlib.metadata
import importlib.util
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "Visualizing_Filters_of_a_CNN.ipynb"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Flags that keep Chromium off the network this machine does not have, and quiet as root in a container.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

# After a successful render the explorer prints a line such as
#   Rendered block3_conv3 · filter 135 with 'fourier', 4 steps: activation 88.1; 5 photo patches beside it
# The test needs a line that starts with "Rendered " and contains the layer's name, "filter <k>" and
# "<n> photo patch(es)".

SERVER_START_TIMEOUT = 120  # s, until JupyterLab answers
# s; Run All of the smoke notebook took 1-2 min in JupyterLab on the 2-core CI machine
RUN_ALL_TIMEOUT = int(os.environ.get("BROWSER_TEST_RUN_ALL_TIMEOUT", 20 * 60))
RENDER_TIMEOUT = 5 * 60  # s, one explorer render in smoke mode takes a few seconds
MIN_FIGURE_SIZE = (200, 100)  # px: the filter's picture beside its photo patches, a caption under them


def browser_missing():
    """Why the test cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found (Debian: apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "Playwright's Python package is not installed (pip install playwright; no browser download needed)"
    if importlib.util.find_spec("jupyterlab") is None:
        return "JupyterLab is not installed (pip install jupyterlab)"
    widgets = importlib.metadata.version("ipywidgets")
    if int(widgets.split(".")[0]) < 8:  # JupyterLab 4's widget manager shows "javascript error" instead
        return f"ipywidgets {widgets}: JupyterLab 4 shows only ipywidgets 8 widgets"
    return None


@pytest.fixture(scope="module")
def browser_ready():
    reason = browser_missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER_TEST") == "1":
            pytest.fail(f"REQUIRE_BROWSER_TEST=1 but the browser test cannot run: {reason}")
        pytest.skip(f"browser test skipped: {reason}")


def copy_without_outputs(source, target):
    """The notebook as a reader gets it after *Clear All Outputs*: loads fast, and only this run's outputs count."""
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    notebook.get("metadata", {}).pop("widgets", None)  # saved widget state from the committed run
    target.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return len(notebook["cells"]), sum(cell["cell_type"] == "code" for cell in notebook["cells"])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid):
    """Every process below `pid` (Linux /proc), children first found first."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def stop_process_tree(process):
    """Stop the server's process group, and the kernels it started (they run in sessions of their own)."""
    if process.poll() is not None:
        return
    below = descendants(process.pid)
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    for pid in below:  # whatever is left: a kernel that did not exit, its children
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def jupyterlab(browser_ready, tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a temporary folder with a copy of the notebook; yields (url, log)."""
    base = tmp_path_factory.mktemp("explorer")
    root = base / "root"
    root.mkdir()
    cells, code_cells = copy_without_outputs(NOTEBOOK, root / NOTEBOOK.name)
    config = base / "jupyter-config"
    settings = config / "lab" / "user-settings"
    # Render every cell, also those out of view, so that the whole notebook can be checked.
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')

    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # conftest's Agg is for nbval; in Jupyter the kernel picks the inline backend
    env.update(SMOKE_TEST="1", JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               IPYTHONDIR=str(base / "ipython"), JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1")
    if "VGG16_WEIGHTS" in os.environ:
        env["VGG16_WEIGHTS"] = os.environ["VGG16_WEIGHTS"]
    port, token = free_port(), secrets.token_hex(16)
    log_path = base / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={base / 'workspaces'}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    # A CI timeout ends pytest with SIGTERM: turn it into an exception so that the teardown below still runs.
    previous_handler = signal.signal(signal.SIGTERM, interrupted)
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in {SERVER_START_TIMEOUT} s:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.5)
        yield {"url": url, "token": token, "log": log_path, "dir": base, "cells": cells, "code_cells": code_cells}
    finally:
        stop_process_tree(server)
        signal.signal(signal.SIGTERM, previous_handler)


@pytest.fixture(scope="module")
def page(jupyterlab):
    """A Chromium page (Debian's /usr/bin/chromium, fresh profile) with the notebook open in JupyterLab."""
    from playwright.sync_api import sync_playwright

    profile = jupyterlab["dir"] / "chromium-profile"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000})
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{jupyterlab['url']}/lab/tree/{NOTEBOOK.name}?token={jupyterlab['token']}&reset")
            # Loaded: every cell of the file is on the page and the kernel has started and is idle.
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while (page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").count() != jupyterlab["cells"]
                   or page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').count() == 0):
                if time.monotonic() > deadline:
                    shots = Shots(page, jupyterlab["dir"] / "screenshots")
                    pytest.fail(f"the notebook did not load with an idle kernel in {SERVER_START_TIMEOUT} s "
                                f"(screenshot {shots.take('not-loaded', force=True)}; server log {jupyterlab['log']})")
                time.sleep(0.5)
            yield page
        finally:
            context.close()


class Shots:
    """Numbered screenshots: to $BROWSER_TEST_SCREENSHOTS when set, else only on a failure."""

    def __init__(self, page, fallback):
        self.page = page
        self.folder = Path(os.environ.get("BROWSER_TEST_SCREENSHOTS", fallback))
        self.always = "BROWSER_TEST_SCREENSHOTS" in os.environ
        self.count = 0

    def save(self, name, data):
        if self.always:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_bytes(data)

    def take(self, name, force=False, target=None):
        if not (self.always or force):
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        try:
            (target or self.page).screenshot(path=str(path))
        except Exception as error:  # a screenshot must never hide the real failure
            return f"{path} (not taken: {error})"
        return path


def stderr_outputs(page):
    return page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()


def error_outputs(page):
    """Text of the tracebacks shown anywhere in the notebook (IPython prints them on stderr)."""
    return [text for text in stderr_outputs(page) if "Traceback" in text]


def run_all_cells(page):
    """Run all cells from JupyterLab's menu, as a reader does, with the notebook focused first."""
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Run All Cells")').click()


def wait_for_run_all(page, shots, jupyterlab):
    """Wait until every cell has run (no [*] prompt: running or queued; kernel idle) and the explorer's Render
    button is there. Fails at once on a traceback, or when the kernel goes idle without the explorer."""
    started = time.monotonic()
    deadline = started + RUN_ALL_TIMEOUT
    seen_busy, retried = False, False
    while True:
        errors = error_outputs(page)
        if errors:
            shot = shots.take("error", force=True)
            pytest.fail(f"a cell failed during Run All (screenshot {shot}):\n" + "\n---\n".join(errors)[-6000:])
        pending = page.locator(".jp-InputPrompt", has_text="[*]").count()
        never_ran = page.locator(".jp-CodeCell .jp-InputPrompt", has_text="[ ]").count()
        status = page.locator(".jp-Notebook-ExecutionIndicator").first.get_attribute("data-status")
        seen_busy = seen_busy or status == "busy" or pending > 0
        if (not retried and pending == 0 and never_ran == jupyterlab["code_cells"] and status == "idle"
                and time.monotonic() > started + 20):
            run_all_cells(page)  # the first click was lost (the menu opened before the notebook took focus)
            retried, seen_busy = True, False
            continue
        if not seen_busy and time.monotonic() > started + 60:
            shot = shots.take("run-all-not-started", force=True)
            pytest.fail(f"Run All Cells did not start the kernel on anything within 60 s (screenshot {shot})")
        render = page.locator("button.widget-button", has_text="Render").count()
        if seen_busy and status == "idle" and pending == 0 and never_ran == 0:
            if render:
                return time.monotonic() - started
            time.sleep(5)  # the widget view may still be drawing
            if not page.locator("button.widget-button", has_text="Render").count():
                shot = shots.take("no-explorer", force=True)
                pytest.fail(f"all cells ran but no explorer (no Render button) is shown (screenshot {shot}); "
                            f"stderr outputs:\n" + "\n---\n".join(stderr_outputs(page))[-4000:])
        if time.monotonic() > deadline:
            shot = shots.take("run-all-timeout", force=True)
            pytest.fail(f"Run All did not finish in {RUN_ALL_TIMEOUT} s (kernel {status}, {pending} cells running "
                        f"or queued, Render button {'shown' if render else 'missing'}; screenshot {shot}; "
                        f"server log {jupyterlab['log']})")
        time.sleep(2)


def figure_in(output):
    """(width, height, pixel standard deviation, src, bytes) of the one picture (an <img>) in the explorer's
    output, or None while there is none."""
    sources = output.evaluate("node => Array.from(node.querySelectorAll('img'), image => image.src)")
    if len(sources) != 1:  # read in one go: the output may be cleared between two reads
        return None
    source = sources[0]
    match = re.match(r"data:image/(png|jpeg);base64,(.*)", source, re.DOTALL)
    assert match, f"the explorer's picture is not an inline PNG/JPEG: {source[:80]!r}"
    data = base64.b64decode(match.group(2))
    picture = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32)
    return picture.shape[1], picture.shape[0], float(picture.std()), source, data


def render(explorer, output, shots, name):
    """Press Render and wait for a figure and the end of the render; returns (figure, text of the output)."""
    button = explorer.locator("button.widget-button", has_text="Render")
    previous = figure_in(output)
    button.click()
    deadline = time.monotonic() + RENDER_TIMEOUT
    while True:
        figure = figure_in(output)
        text = output.inner_text()
        done = button.is_enabled() and "Rendering " not in text
        if figure and done and (previous is None or figure[3] != previous[3]):
            shots.take(name)
            shots.take(f"{name}-explorer", target=explorer)
            shots.save(f"{name}-figure.png", figure[4])
            return figure, text
        if "Could not render" in text or "Traceback" in text:
            shot = shots.take(f"{name}-failed", force=True)
            pytest.fail(f"the explorer could not render (screenshot {shot}):\n{text[-3000:]}")
        if time.monotonic() > deadline:
            shot = shots.take(f"{name}-timeout", force=True)
            pytest.fail(f"no new figure {RENDER_TIMEOUT} s after pressing Render (screenshot {shot}); output:\n"
                        f"{text[-3000:]}")
        time.sleep(0.5)


def check_rendered_line(text, layer, filter_index, min_patches):
    """The line the explorer prints after a successful render names the layer, the filter and the number of
    photo patches shown (at least `min_patches`); returns the line and that number."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("Rendered ")]
    if not lines:
        pytest.fail(f"the explorer printed no line starting with 'Rendered ' after rendering; its output:\n{text}")
    line = lines[-1]
    assert re.search(rf"\b{layer}\b", line), f"{line!r} does not name the layer {layer}"
    assert re.search(rf"\bfilter {filter_index}\b", line), f"{line!r} does not name filter {filter_index}"
    patches = re.search(r"\b(\d+|no) photo patch(?:es)?\b", line)
    assert patches, f"{line!r} does not say how many photo patches it shows ('<n> photo patches')"
    count = 0 if patches.group(1) == "no" else int(patches.group(1))
    assert count >= min_patches, f"{line!r}: expected at least {min_patches} photo patches"
    return line, count


def test_explorer_renders_in_jupyterlab(page, jupyterlab, tmp_path):
    shots = Shots(page, tmp_path / "screenshots")
    shots.take("opened")

    run_all_cells(page)
    seconds = wait_for_run_all(page, shots, jupyterlab)
    print(f"Run All took {seconds:.0f} s in JupyterLab")
    shots.take("after-run-all")

    button = page.locator("button.widget-button", has_text="Render")
    assert button.count() == 1, "expected exactly one explorer (one Render button) in the notebook"
    explorer = page.locator(".widget-vbox").filter(has=button).filter(has=page.locator(".widget-output")).last
    output = explorer.locator(".widget-output")

    def control(kind, label):  # an ipywidgets control by its description (its <label>)
        return explorer.locator(kind).filter(has=page.locator("label", has_text=re.compile(rf"^{label}$")))

    layer_menu = control(".widget-dropdown", "layer").locator("select")
    method_menu = control(".widget-dropdown", "method").locator("select")
    filter_box = control(".widget-text", "filter").locator("input")
    steps_slider = control(".widget-slider", "steps")
    for found, what in [(layer_menu, "layer dropdown"), (method_menu, "method dropdown"),
                        (filter_box, "filter box"), (steps_slider, "steps slider")]:
        assert found.count() == 1, f"the explorer has no {what} (found {found.count()})"
    explorer.scroll_into_view_if_needed()
    layer = layer_menu.input_value()
    assert re.fullmatch(r"block\d_conv\d", layer), f"unexpected layer in the layer dropdown: {layer!r}"

    first, first_text = render(explorer, output, shots, "first-render")
    width, height, spread = first[:3]
    assert width >= MIN_FIGURE_SIZE[0] and height >= MIN_FIGURE_SIZE[1], f"figure only {width}x{height} px"
    assert spread > 10, f"the figure is (nearly) blank: pixel standard deviation {spread:.1f}"
    first_filter = int(filter_box.input_value())
    first_line, _ = check_rendered_line(first_text, layer, first_filter, min_patches=1)

    # Another filter: type it as a reader does (the box sends its value on Enter), then render again.
    last = int(filter_box.get_attribute("max") or first_filter + 1)
    second_filter = first_filter + 1 if first_filter < last else first_filter - 1
    filter_box.fill(str(second_filter))
    filter_box.press("Enter")
    second, second_text = render(explorer, output, shots, "second-render")
    width, height, spread = second[:3]
    assert width >= MIN_FIGURE_SIZE[0] and height >= MIN_FIGURE_SIZE[1], f"second figure only {width}x{height} px"
    assert spread > 10, f"the second figure is (nearly) blank: pixel standard deviation {spread:.1f}"
    assert second[3] != first[3], "the figure did not change after choosing another filter"
    # The next filter may be silent on the smoke run's 3 small photos: then the figure must still appear.
    second_line, _ = check_rendered_line(second_text, layer, second_filter, min_patches=0)
    assert first_line != second_line
    assert not error_outputs(page), "error outputs appeared while using the explorer"
