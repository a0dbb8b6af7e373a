"""The File menu's actions as a hand triggers them: the dialog answers, the slot does the rest."""

import threading

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.selftest import blank
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


def test_save_image_writes_a_2x_png_off_the_ui_thread(make_window, qtbot, tmp_path, monkeypatch):
    """File → Save image…: the picture is taken at once, at twice the window's pixels, and
    encoded and written by another thread (it held the UI for 0.3-0.5 s); the file appears
    whole and the status bar says so."""
    win = make_window()
    path = tmp_path / "window.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    writers = []
    save = QImage.save

    def recording_save(image, *args):
        writers.append(threading.current_thread())
        return save(image, *args)

    monkeypatch.setattr(QImage, "save", recording_save)
    file_action(win, "Save image…").trigger()
    qtbot.waitUntil(lambda: "saved" in win.statusBar().currentMessage(), timeout=15000)
    assert writers and threading.main_thread() not in writers
    png = QImage(str(path))
    assert (png.width(), png.height()) == (2 * win.width(), 2 * win.height())
    assert not blank(png)
    assert [p.name for p in tmp_path.iterdir()] == ["window.png"]  # no part file left


def test_an_image_that_cannot_be_written_is_a_message(make_window, qtbot, tmp_path, monkeypatch):
    win = make_window()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    answer = str(tmp_path / "no-such-folder" / "w.png")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (answer, ""))
    file_action(win, "Save image…").trigger()
    assert warnings and "cannot write" in warnings[0]  # at once: nothing was rendered
    answer = str(tmp_path / "w.png")
    monkeypatch.setattr(QImage, "save", lambda *a: False)  # the disk refuses it later
    file_action(win, "Save image…").trigger()
    qtbot.waitUntil(lambda: win.banner.isVisible(), timeout=15000)
    assert "cannot write" in win.banner.text() and not (tmp_path / "w.png").exists()
    assert list(tmp_path.iterdir()) == []
