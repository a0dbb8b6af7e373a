"""The window's tables: a view is one class and one row; menus, keys, the presentation help and
the README's key list come from gui/actions.py."""

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from gui import actions
from gui.main_window import MainWindow
from gui.presenter import ViewBase
from gui.rooms.layout import BOTTOM, Row
from tests.gui.conftest import SMALL, wait_shown

ROOT = Path(__file__).resolve().parents[2]


class Toy(QLabel, ViewBase):
    """A view of one class: the seed of every frame it is given."""

    needs = frozenset({"editing"})

    def __init__(self):
        super().__init__()
        self.frames = []

    def present(self, frame) -> None:
        self.frames.append(frame)
        self.setText(f"seed {frame.a.config.seed}, showing {frame.edited.config.init}")


def test_a_toy_view_added_by_one_row_receives_the_frames(make_window, qtbot, monkeypatch):
    row = Row("toy", "Toy", lambda w: Toy(), BOTTOM, view=True)
    monkeypatch.setattr(MainWindow, "DOCKS", (*MainWindow.DOCKS, row))
    win = make_window()
    toy = win.docks["toy"].widget()
    assert isinstance(toy, Toy) and toy.frames[-1].a is win.latest
    assert win.docks["toy"].toggleViewAction() in win.menuBar().actions()[1].menu().actions()
    win.resample()
    wait_shown(qtbot, win, SMALL.replace(seed=1))
    assert toy.frames[-1].a is win.latest and toy.text() == "seed 1, showing xavier-normal"
    win.compare_action.trigger()
    win.apply_changes({"init": "he-normal"})  # B's
    qtbot.waitUntil(lambda: toy.frames[-1].b is not None, timeout=15000)
    assert toy.text().endswith("he-normal")
    n = len(toy.frames)
    win.state.editing = "A"  # what it needs: the newest frame again, showing A
    assert len(toy.frames) == n + 1 and toy.text().endswith("xavier-normal")

    added = Toy()  # and one added while the window runs
    win.add_view(Row("toy2", "Toy 2", lambda w: added, BOTTOM, view=True))
    assert added.frames[-1].a is win.latest and win.docks["toy2"].widget() is added


def test_the_readme_lists_the_keys_of_the_table():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- keys: [^>]*-->\n(.*?)\n<!-- /keys -->", text, re.S)
    assert block is not None and block.group(1) == actions.key_list_markdown()
    keys = {k for k, *_ in actions.key_list()}
    assert {"PgDn / PgUp, 1–9", "Space", "R", "A", "F5", "Esc", "Ctrl+O"} <= keys


def test_menus_keys_and_the_help_come_from_the_table(make_window, qtbot):
    win = make_window()
    menus = {m.title(): m for m in (a.menu() for a in win.menuBar().actions())}
    for a in actions.ACTIONS:
        if a.menu:
            entry = next(x for x in menus[a.menu].actions() if x.text() == a.text)
            assert entry.shortcuts() == [QKeySequence(k) for k in a.keys]
            assert entry.statusTip() == a.tip
    qtbot.keyClick(win, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert not win.presentation.help.isVisible()  # a key of the presentation view: off outside
    win.presentation.enter(full_screen=False)
    qtbot.keyClick(win, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    help_text = win.presentation.help.text()
    for k, what in actions.help_rows():
        assert f"<b>{k}</b>" in help_text and what in help_text
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presentation.active and not win.state.presentation
