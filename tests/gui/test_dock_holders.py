"""The left docks' controls are never clipped at the right or scrolled sideways, at the window's
usual sizes and with the dock column dragged as narrow as it goes (gui/rooms/layout.py
DockHolder). Before, the Initialization dock's values and its gain buttons ran past a 340 px
dock behind a horizontal scroll bar at 1280×720 and 1920×1080 alike."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QScrollArea


def holders(win) -> dict[str, QScrollArea]:
    return {n: d.widget() for n, d in win.docks.items() if isinstance(d.widget(), QScrollArea)}


def settle(qtbot, win) -> None:
    qtbot.wait(80)  # the docks' layouts and the scroll areas' queued re-layouts


def assert_unclipped(win) -> None:
    found = holders(win)
    assert {"network", "init", "playback", "training"} <= set(found)
    for name, holder in found.items():
        if not win.docks[name].isVisible() or win.docks[name].visibleRegion().isEmpty():
            continue  # a tab behind another: laid out when it is raised
        content, port = holder.widget(), holder.viewport()
        assert not holder.horizontalScrollBar().isVisible(), name
        assert content.width() <= port.width(), (name, content.width(), port.width())
        assert content.width() >= content.minimumSizeHint().width(), name


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_the_docks_show_every_control_whole(make_window, qtbot, size):
    win = make_window()
    win.resize(*size)
    settle(qtbot, win)
    assert_unclipped(win)
    init = win.init_dock
    port = holders(win)["init"].viewport()
    for button in (init.gain_default, init.gain_act):
        right = button.mapTo(port, QPoint(button.width(), 0)).x()
        assert 0 < right <= port.width()
    # the dock column dragged as narrow as it goes: the docks stop at their controls' width
    left = [win.docks[n] for n in ("network", "init")]
    win.resizeDocks(left, [40, 40], Qt.Orientation.Horizontal)
    settle(qtbot, win)
    assert_unclipped(win)
    for name in ("playback", "training"):  # the tabs behind Network, raised in turn
        win.docks[name].raise_()
        settle(qtbot, win)
        assert_unclipped(win)


def test_a_dock_follows_its_controls_when_they_grow(make_window, qtbot):
    """A control's minimum grows (a longer text): the dock widens with it rather than cut it."""
    win = make_window()
    win.resize(1920, 1080)
    settle(qtbot, win)
    before = win.docks["init"].width()
    win.init_dock.gain_act.setText("φ gain for the current activation, as PyTorch recommends")
    settle(qtbot, win)
    assert win.docks["init"].width() > before
    assert_unclipped(win)
