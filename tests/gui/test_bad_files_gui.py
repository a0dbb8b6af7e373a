"""Open config and Open state with bad files: a message box and the window as it was, never an
exception out of the slot (issue 17, items 1, 2, 6, 7, 9); and the self-test's NaN (item 8)."""

from __future__ import annotations

import math
import tomllib

import pytest
from PySide6.QtWidgets import QMessageBox

from core import Config
from gui import export
from tests.gui.conftest import SMALL

BAD_FILES = {
    "input list": "input = []",
    "init list": "init = [1]",
    "norm table": "norm = {}",
    "activation table": "activation = {x = 1}",
    "activation nested": 'activation = [["tanh"], ["relu"]]',
    "deep arrays": "x = " + "[" * 3000 + "]" * 3000,
    "deep inline tables": "x = " + "{a = " * 3000 + "1" + "}" * 3000,
    "deep header": "[" + ".".join(["a"] * 100_000) + "]",
    "long string": f'input = "{"é" * 20000}"',
    "over 1 MiB": "depth = 3\n" + "#" * 2**21,
}


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    return shown


def assert_one_clipped_line(text: str) -> None:
    assert "\n" not in text and len(text) <= 400 and "é" * 61 not in text


@pytest.mark.parametrize("text", list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_open_config_and_open_state_show_a_message(make_window, tmp_path, warnings, text):
    win = make_window()
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    assert not win.load_config_file(str(p))
    assert not win.open_state(str(p))
    state = tmp_path / "state.toml"
    state.write_text("[config]\n" + text, encoding="utf-8")
    assert not win.open_state(str(state))
    assert len(warnings) == 3
    for message in warnings:
        assert_one_clipped_line(message)
    assert win.config == SMALL


def sweep_state(**animation) -> str:
    anim = {"mode": "sweep", "param": "std", "from": 0.01, "to": 1.0, "period": 8.0} | animation
    view = {"preact": False, "grad": True, "wgrad": False, "per_layer_y": False}
    return export.state_toml(SMALL.replace(init="normal"), None, view, anim)


@pytest.mark.parametrize(
    "state,field",
    [
        (sweep_state(**{"from": math.nan}), "animation.from"),
        (sweep_state(to=math.inf), "animation.to"),
        (sweep_state(period=-math.inf), "animation.period"),
        (sweep_state(period="8 s"), "animation.period"),
        (sweep_state(**{"from": True}), "animation.from"),
        (sweep_state(mode="bounce"), "animation.mode"),
        (sweep_state(mode=["sweep"]), "animation.mode"),
        (sweep_state(param=["std"]), "animation.param"),
        (sweep_state(speed=2), "animation.speed"),
        (sweep_state().replace("grad = true", 'grad = "yes"'), "view.grad"),
        (sweep_state().replace("grad = true", "grad = 1"), "view.grad"),
        (sweep_state().replace("[view]", "[view]\nzoom = 2"), "view.zoom"),
        (sweep_state().replace("[view]", "[views]"), "views"),
        ("view = 3\n" + sweep_state().split("[view]")[0], "[view]"),
    ],
)
def test_a_non_finite_or_mistyped_view_or_animation_field_is_refused(
    make_window, tmp_path, warnings, state, field
):
    """`from = nan` became the spin box's 100 and started a 100…100 sweep."""
    win = make_window()
    p = tmp_path / "state.toml"
    p.write_text(state, encoding="utf-8")
    assert not win.open_state(str(p))
    assert len(warnings) == 1 and f"state.toml: {field}: got " in warnings[0]
    assert_one_clipped_line(warnings[0])
    assert win.config == SMALL and win.playback_dock.animation.currentText() == "off"


def test_a_good_sweep_state_still_opens(make_window, tmp_path, warnings):
    win = make_window()
    p = tmp_path / "state.toml"
    p.write_text(sweep_state(**{"from": 0.02, "to": 0.5, "period": 12}), encoding="utf-8")
    assert win.open_state(str(p)) and not warnings
    pd = win.playback_dock
    assert pd.animation.currentText() == "sweep" and pd.sweep_param.currentText() == "std"
    assert (pd.sweep_from.value(), pd.sweep_to.value(), pd.period.value()) == (0.02, 0.5, 12.0)
    pd.animation.setCurrentText("off")


def test_a_state_file_is_parsed_once(tmp_path, monkeypatch):
    """A plain config opened as a state was parsed twice (25.7 s for a 50 MB file)."""
    calls = []
    loads = tomllib.loads
    monkeypatch.setattr(tomllib, "loads", lambda text: calls.append(len(text)) or loads(text))
    p = tmp_path / "plain.toml"
    p.write_text(Config(depth=3).to_toml(), encoding="utf-8")
    assert export.read_state(p)[0] == Config(depth=3)
    s = tmp_path / "state.toml"
    s.write_text(sweep_state(), encoding="utf-8")
    assert export.read_state(s)[0] == SMALL.replace(init="normal")
    assert len(calls) == 2


def test_self_test_takes_nan_as_equal_to_nan():
    """σ = 1000 through 10 linear layers overflows float32 to ∞ and then NaN, in the compute
    process and in the window alike: the self-test said "numbers differ … nan vs nan"."""
    from gui.selftest import compute_process_problems

    c = Config(depth=10, width=200, batch=64, activation="linear", init="normal", std=1000.0)
    assert compute_process_problems(c) == []
