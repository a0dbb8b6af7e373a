"""Every menu entry, shortcut and presentation key, declared once: ACTIONS.

The menus, the keys, the presentation view's help overlay and the README's key list all come from
this table (tests/gui/test_actions.py checks the README against `key_list()`). A slot is called
with the window. A key of the presentation view only is off outside it; every other key works
everywhere, menus shown or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence


@dataclass(frozen=True)
class Action:
    name: str
    text: str  # the menu entry (and the key list's words, without `help`)
    slot: Callable[..., Any]  # slot(window), or slot(window, checked) when `checkable`
    keys: tuple[str, ...] = ()
    tip: str = ""
    menu: str = ""  # "&File", "&View", "&Help"; "" for none (a key, or a toolbar's action)
    presentation: bool = False  # a key of the presentation view only
    help: tuple[str, str] | None = None  # (the keys as written, what they do) in the help
    separator: bool = False  # a line above it in its menu
    checkable: bool = False


STATE_TIP = "Config, comparison, view and animation"
MENUS = ("&File", "&View", "&Scenes", "&Help")  # the View menu opens with one entry per dock

ACTIONS = (
    Action("next_scene", "Next scene", lambda w: w.step_scene(+1), ("PgDown", "Down"),
           presentation=True, help=("PgDn / PgUp, 1–9", "next / previous scene, scene n; "
                                    "while a scene's question is asked, 1–4 pick the room's answer")),
    Action("previous_scene", "Previous scene", lambda w: w.step_scene(-1), ("PgUp", "Up"),
           presentation=True),
    *(Action(f"scene_{n}", f"Scene {n}", lambda w, n=n: w.lecture.number_key(n), (str(n),),
             presentation=True) for n in range(1, 10)),
    Action("sweep_down", "Sweep step down", lambda w: w.sweep_step(-1), ("Left",),
           presentation=True, help=("← / →", "step the sweep parameter")),
    Action("sweep_up", "Sweep step up", lambda w: w.sweep_step(+1), ("Right",),
           presentation=True),
    Action("open_config", "Open config…", lambda w: w.files.open_config(), ("Ctrl+O",),
           "Load a TOML config", "&File"),
    Action("save_config", "Save config…", lambda w: w.files.save_config(), ("Ctrl+S",),
           "Save the current config as TOML", "&File"),
    Action("save_image", "Save image…", lambda w: w.files.save_image(), ("Ctrl+E",),
           "Save the window as PNG at 2×", "&File"),
    Action("save_svg", "Save plots as SVG…", lambda w: w.files.save_svg(),
           tip="The histogram grid as vector graphics", menu="&File"),
    Action("record", "Record animation…", lambda w: w.files.record_dialog(),
           tip="GIF or MP4 of the running animation", menu="&File"),
    Action("record_training", "Record training…", lambda w: w.training.record_dialog(),
           tip="GIF or MP4 of training", menu="&File"),
    Action("open_lecture", "Open lecture…", lambda w: w.lecture_files.open_lecture(),
           tip="A lecture file: its scenes in its order", menu="&File", separator=True),
    Action("save_scene", "Save as scene…", lambda w: w.lecture_files.save_as_scene(),
           tip="What is on screen, as a scene of a lecture file", menu="&File"),
    Action("export_handout", "Export handout…", lambda w: w.lecture_files.export_handout(),
           tip="A PDF (and HTML) page per scene of the lecture", menu="&File"),
    Action("open_state", "Open state…", lambda w: w.open_state(), tip=STATE_TIP, menu="&File"),
    Action("save_state", "Save state…", lambda w: w.save_state(), tip=STATE_TIP, menu="&File"),
    Action("copy_csv", "Copy table as CSV", lambda w: w.files.copy_table("csv"), menu="&File"),
    Action("copy_markdown", "Copy table as Markdown", lambda w: w.files.copy_table("markdown"),
           menu="&File"),
    Action("quit", "Quit", lambda w: w.close(), ("Ctrl+Q",), menu="&File", separator=True),
    Action("dark", "Dark theme", lambda w: w.set_theme("dark"), menu="&View", separator=True),
    Action("light", "Light theme", lambda w: w.set_theme("light"), menu="&View"),
    Action("reset_layout", "Reset layout", lambda w: w.reset_layout(),
           tip="Put every dock back where it started", menu="&View"),
    Action("resample", "Resample", lambda w: w.resample(), ("R",), "New weights and batch",
           "&View", help=("R", "resample: new weights and batch")),
    Action("play", "Play/pause animation", lambda w: w.reveal.space(), ("Space",),
           menu="&View", help=("Space", "play / pause the animation; staged: the next layer")),
    Action("presentation", "Presentation view", lambda w: w.presentation.enter(), ("F5",),
           "Full screen, captions, keys", "&View"),
    Action("about", "About InitScope", lambda w: w.about(), menu="&Help"),
    Action("compare", "Compare A/B", lambda w, on: w.state.set_comparing(on), ("A",),
           "Compare with…: freeze the current state as B's start, then edit either side (A)",
           help=("A", "toggle the A/B comparison"), checkable=True),
    Action("stage", "Stage / show all", lambda w: w.reveal.toggle_stage(), ("T",),
           presentation=True, help=("T", "stage the scene (no data), or show it all")),
    Action("reveal_back", "Reveal: a layer back", lambda w: w.reveal.step(-1),
           ("Backspace", "Shift+Space"), presentation=True,
           help=("Backspace", "staged: a layer back")),
    Action("reveal_rest", "Reveal the rest", lambda w: w.reveal.play_rest(), ("Return", "Enter"),
           presentation=True, help=("Enter", "staged: reveal the rest, 3 layers a second")),
    Action("full_screen", "Full screen", lambda w: w.presentation.toggle_full_screen(), ("F",),
           presentation=True, help=("F", "full screen on / off")),
    Action("snapshot", "Snapshot", lambda w: w.snapshot(), ("S",), presentation=True,
           help=("S", "save a snapshot (PNG, 2×)")),
    Action("details", "Speaker details", lambda w: w.presentation.toggle_details(), ("D",),
           presentation=True, help=("D", "the speaker's details on / off")),
    Action("help", "Help", lambda w: w.presentation.toggle_help(), ("?", "Shift+?", "F1"),
           presentation=True, help=("?", "this help")),
    Action("leave", "Leave", lambda w: w.presentation.leave(), ("Esc",), presentation=True,
           help=("Esc", "leave the presentation view")),
)  # fmt: skip


def help_rows() -> list[tuple[str, str]]:
    """The presentation view's help: every key that works there and has a line of its own."""
    return [a.help for a in ACTIONS if a.help is not None]


def key_list() -> list[tuple[str, str, str]]:
    """(keys, what, where) for every key: the README's list."""
    rows = []
    for a in ACTIONS:
        if a.keys and (a.help is not None or not a.presentation):
            keys, what = a.help or (" / ".join(a.keys), a.text.rstrip("…"))
            rows.append((keys, what, "presentation view" if a.presentation else "anywhere"))
    return rows


def key_list_markdown() -> str:
    lines = ["| Key | What | Where |", "|---|---|---|"]
    lines += [f"| {k} | {what} | {where} |" for k, what, where in key_list()]
    return "\n".join(lines)


def build(win, docks) -> dict[str, QAction]:
    """The menus (one entry per dock, then the table's; the Scenes menu is the lecture room's)
    and every key, as QActions of the window; the presentation view's keys start off."""
    bar = win.menuBar()
    menus = {name: bar.addMenu(name) for name in MENUS}
    for d in docks:
        menus["&View"].addAction(d.toggleViewAction())
    made = {}
    for a in ACTIONS:
        act = made[a.name] = _action(win, a)
        if a.menu:
            if a.separator:
                menus[a.menu].addSeparator()
            menus[a.menu].addAction(act)
        if a.keys:
            win.addAction(act)  # keys keep working when the presentation view hides the menus
    win.lecture.attach_menu(menus["&Scenes"])
    return made


def _action(win, a: Action) -> QAction:
    act = QAction(a.text, win)
    act.setShortcuts([QKeySequence(k) for k in a.keys])
    act.setStatusTip(a.tip)
    act.setToolTip(a.tip or a.text)
    if a.checkable:
        act.setCheckable(True)
        act.toggled.connect(lambda on, a=a: a.slot(win, on))
    else:
        act.triggered.connect(lambda _=False, a=a: a.slot(win))
    act.setEnabled(not a.presentation)
    return act


def presentation_actions(made: dict[str, QAction]) -> list[QAction]:
    return [made[a.name] for a in ACTIONS if a.presentation]
