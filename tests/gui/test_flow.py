"""One-way flow: drawing never asks the engine for a frame; the phase diagram's grid is asked for
because its dock shows (the state's phase_shown, a job input), once."""

from tests.gui.conftest import SMALL


def test_drawing_the_theory_asks_the_engine_for_nothing(make_window, qtbot, monkeypatch):
    win = make_window(SMALL.replace(activation="tanh"))
    asked = []
    real = win.engine.submit

    def spy(*job, **how):
        asked.append(job)
        real(*job, **how)

    monkeypatch.setattr(win.engine, "submit", spy)
    win.presenter.refresh({"theory", "phase"})
    win.show_theory_box.setChecked(False)
    win.show_theory_box.setChecked(True)
    assert asked == [] and not win.state.phase_shown
    win.docks["phase"].show()
    win.docks["phase"].raise_()
    qtbot.waitUntil(lambda: win.phase.grid is not None and win.phase.grid.activation == "tanh")
    assert win.state.phase_shown and [job[4] for job in asked] == [True]  # one frame, its grid
    win.presenter.refresh({"theory", "phase"})
    assert len(asked) == 1
