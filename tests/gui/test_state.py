"""The SessionState: one place for everything a person sets, saved and reopened field for field,
and shown by every dock that binds to it."""

import pytest

from core import Config, presets
from gui import export
from gui.animation import Animation
from gui.state import SAVED, SessionState
from tests.gui.conftest import SMALL, wait_shown


def changes_of(state):
    seen = []
    state.changed.connect(seen.append)
    return seen


def test_edits_of_either_side_share_seed_and_batch_and_say_what_changed(qapp):
    state = SessionState(SMALL)
    seen = changes_of(state)
    state.set_comparing(True)
    assert (state.compare, state.editing) == (SMALL, "B") and seen == [{"compare", "editing"}]
    assert state.apply_changes({"init": "he-normal", "seed": 7, "batch": 32})
    assert state.compare == SMALL.replace(init="he-normal", seed=7, batch=32)
    assert state.config == SMALL.replace(seed=7, batch=32)  # A takes only what both share
    assert seen[-1] == {"config", "compare"}
    state.editing = "A"
    assert state.apply_changes({"activation": "relu"}, dragging=True)
    assert state.config.activation == "relu" and state.compare.activation == "tanh"
    assert seen[-1] == {"config", "dragging"}
    state.update(editing="A")  # nothing new: no signal
    assert len(seen) == 4


def test_an_invalid_edit_is_a_message_and_changes_nothing(qapp):
    state = SessionState(SMALL)
    seen, said = changes_of(state), []
    state.invalid.connect(said.append)
    assert not state.apply_changes({"std": -1.0})
    assert not state.apply_changes({"depth": 3, "width": [5, 5]})
    assert seen == [] and state.config == SMALL
    assert len(said) == 2 and "std" in said[0] and "width" in said[1]
    with pytest.raises(ValueError):
        state.rows = ("grad",)  # a first row must be act or preact
    with pytest.raises(AttributeError):
        state.update(zoom=2)


def test_the_sweep_follows_the_parameters_the_edited_scheme_reads(qapp):
    state = SessionState(SMALL.replace(init="normal"))
    assert (state.animation.param, state.animation.lo, state.animation.hi) == ("std", 0.001, 1.0)
    state.animation = state.animation.replace(lo=0.01, hi=0.5)
    state.apply_changes({"std": 0.2})  # the same scheme: the range the person set stays
    assert (state.animation.lo, state.animation.hi) == (0.01, 0.5)
    state.apply_changes({"init": "xavier-normal"})  # no σ to sweep: its gain, from gain's range
    assert (state.animation.param, state.animation.lo, state.animation.hi) == ("gain", 0.1, 3.0)
    state.apply_changes({"init": "zeros"})  # nothing to sweep
    assert state.animation.param == ""
    with pytest.raises(ValueError):
        Animation(mode="spin")
    assert Animation(period=1000.0, lo=-1e6).period == 120.0  # what the dock can show


def test_a_partial_state_file_keeps_what_it_leaves_out(qapp, tmp_path):
    state = SessionState(SMALL)
    state.update(animation=state.animation.replace(period=3.0), per_layer_y=True)
    path = tmp_path / "s.toml"
    path.write_text(
        "[config]\ndepth = 2\n[view]\nwgrad = true\nscene = 'gone'\n"
        "[animation]\nmode = 'sweep'\nfrom = 0.5\n",
        encoding="utf-8",
    )
    state.load(str(path))
    assert state.config == Config(depth=2)
    assert state.rows == ("act", "grad", "wgrad") and not state.per_layer_y  # the view's default
    assert state.focus_layer == 0 and state.theory and state.scene is None  # no such scene
    anim = state.animation
    assert (anim.mode, anim.lo, anim.period) == ("sweep", 0.5, 3.0)  # the period kept
    for bad in ("focus_layer = -3", "theory = 'no'", "editing = 'C'", "scene = 3"):
        path.write_text(f"[config]\ndepth = 5\n[view]\n{bad}\n", encoding="utf-8")
        with pytest.raises(export.ExportError, match=f"view.{bad.split()[0]}"):
            state.load(str(path))
        assert state.config == Config(depth=2)  # unchanged


def docks_show(win) -> None:
    """Every dock's widgets hold the state (the edited side's config in the config docks)."""
    s, c = win.state, win.state.edited
    net, init, play = win.network_dock, win.init_dock, win.playback_dock
    assert (net.depth.value(), net.width_edit.text(), net.batch.value()) == (
        c.depth,
        str(c.width),
        c.batch,
    )
    assert (net.activation.currentText(), net.seed.value(), net.hist_scale.currentText()) == (
        c.activations[0],
        c.seed,
        c.hist_scale,
    )
    assert (init.scheme.currentText(), init.bias.currentText()) == (c.init, c.bias)
    assert init.bias_value.value() == pytest.approx(c.bias_value)
    a = s.animation
    assert (play.animation.currentText(), play.sweep_param.currentText()) == (a.mode, a.param)
    assert (play.sweep_from.value(), play.sweep_to.value(), play.period.value()) == pytest.approx(
        (a.lo, a.hi, a.period)
    )
    assert play.live.isChecked() == s.live and play.per_layer_y.isChecked() == s.per_layer_y
    assert play.rows == s.rows
    assert win.compare_action.isChecked() == (s.compare is not None)
    assert win.side_combo.currentText() == f"edit {s.editing}"
    assert win.show_theory_box.isChecked() == s.theory
    assert win.caption_bar.isVisible() and s.scene.title in win.caption_bar.title.text()


def test_a_state_file_written_by_the_window_reopens_field_for_field(make_window, qtbot, tmp_path):
    win = make_window()
    win.load_scene(presets.load("xavier-tanh"))
    win.compare_action.trigger()  # B: a copy of A, edited from now on
    win.apply_changes({"activation": "relu", "bias": "constant", "bias_value": 0.25})
    win.playback_dock.wgrad.setChecked(True)
    win.playback_dock.per_layer_y.setChecked(True)
    win.show_theory_box.setChecked(False)
    win.show_layer(3)
    win.playback_dock.period.setValue(5.5)
    win.playback_dock.sweep_to.setValue(2.5)
    win.playback_dock.animation.setCurrentText("sweep")  # saved at once: no frame moved it yet
    saved = win.state.saved()
    path = tmp_path / "state.toml"
    assert win.save_state(str(path))
    win.playback_dock.animation.setCurrentText("off")

    again = make_window()
    assert again.state.saved() != saved
    assert again.open_state(str(path))
    assert again.state.saved() == saved  # field for field
    assert set(saved) == set(SAVED)
    docks_show(again)
    again.playback_dock.animation.setCurrentText("off")
    wait_shown(qtbot, again, again.config)
    qtbot.waitUntil(lambda: again.latest_b is not None and again.latest_b.config == again.compare)
    assert again.grid.rows == ("act", "grad", "wgrad") and again.grid.y_mode == "layer"
    assert again.grid.theory_data("act", 1) is None  # the overlay is off in the file
