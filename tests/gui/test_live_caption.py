"""The live caption over the window's own frames: a scene as loaded is the scene (its claim with
the numbers on screen), and the window's controls, R and A make it say what changed (issue #18).
The canvas header shows core/captions.live(scene, a, b) of the frame it is given; this drives the
window as a lecturer does and reads the snapshots it presents."""

from __future__ import annotations

from PySide6.QtCore import Qt

from core import captions, presets
from tests.gui.conftest import wait_shown


def caption(win) -> tuple[str, str, str]:
    return captions.live(win.scene, win.latest, win.latest_b)


def test_loaded_scene_is_not_changed_and_cites_the_screen(make_window, qtbot):
    win = make_window()
    scene = presets.load("tiny-normal-tanh")
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config, timeout=60000)
    title, claim, _ = caption(win)
    assert captions.changes(scene, win.latest, win.latest_b) == []
    assert title == scene.title
    assert f"{win.latest.layers[-1].act_std:.0e}".replace("e-0", "e-") in claim  # 3e-7


def test_sigma_slider_and_r_key_change_the_caption(make_window, qtbot):
    win = make_window()
    scene = presets.load("tiny-normal-tanh")
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config, timeout=60000)
    _, before, _ = caption(win)
    win.init_dock.std.spin.setValue(0.06)
    qtbot.waitUntil(lambda: win.config.std == 0.06, timeout=10000)
    wait_shown(qtbot, win, win.config, timeout=60000)
    title, claim, _ = caption(win)
    assert claim.startswith("changed: σ = 0.06. Now activation std ")
    assert before not in claim and "multiplies" not in claim and "vanishes" not in title
    last = win.latest.layers[-1]
    assert f"{captions._formatted(last.act_std, '')} at layer 10" in claim
    win.presentation.enter(full_screen=False)
    qtbot.keyClick(win, Qt.Key.Key_R)
    wait_shown(qtbot, win, win.config, timeout=60000)
    _, claim, _ = caption(win)
    assert claim.startswith(f"changed: σ = 0.06, seed {scene.config.seed + 1}. Now ")


def test_a_key_turning_b_off_changes_the_caption(make_window, qtbot):
    win = make_window()
    scene = presets.load("constant-symmetry")
    win.load_scene(scene)
    wait_shown(qtbot, win, scene.config, timeout=60000)
    qtbot.waitUntil(lambda: win.latest_b is not None, timeout=60000)
    qtbot.waitUntil(lambda: win.latest_b.config == scene.compare, timeout=60000)
    assert caption(win)[1] == captions.render(scene.claim, win.latest, win.latest_b)
    win.presentation.enter(full_screen=False)
    qtbot.keyClick(win, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: win.latest_b is None, timeout=60000)
    title, claim, _ = caption(win)
    assert claim.startswith("changed: B off. Now activation std ") and "copies" not in claim
    assert title == "tanh, constant 0.002, 10 × 500"
