"""The File menu's actions as a hand triggers them: the dialog answers, the slot does the rest."""

from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import SMALL, wait_shown


def file_action(win, text: str):
    menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    return next(a for a in menu.actions() if a.text() == text)


def test_save_and_open_state_from_the_menu(make_window, qtbot, tmp_path, monkeypatch):
    """The menu's triggered(bool) used to arrive as the path argument (False): neither action
    showed its dialog, so nothing was saved or opened."""
    win = make_window()
    path = str(tmp_path / "state.toml")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (path, ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (path, ""))
    win.apply_changes({"activation": "relu"})
    file_action(win, "Save state…").trigger()
    assert (tmp_path / "state.toml").exists()
    win.apply_changes({"activation": "tanh"})
    file_action(win, "Open state…").trigger()
    assert win.config == SMALL.replace(activation="relu")
    wait_shown(qtbot, win, win.config)
