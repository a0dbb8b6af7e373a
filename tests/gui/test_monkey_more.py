"""The impatient lecturer of test_monkey.py with the rest of a lecture's hands: training (play,
pause, step, reset, scrub), state and config files opened and saved (good ones and bad ones),
the window saved as PNG, the theme, the lecture's number keys, the animation's Space, and the
compute process killed in the middle of it all, as issue 17 lists them.

What must hold is what test_monkey.py asks: no exception reaches Qt's excepthook, Esc always
leaves the presentation view, and once the hands stop the window shows the final config's frame
within 5 s of a last change (a killed compute process is replaced in that time; the change also
takes the views back from a training record to the engine's frames). A bad file is a message,
never an exception.
"""

import contextlib
import os
import random
import signal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from core import Config
from gui import compute_process
from tests.gui.test_monkey import START, Monkey, assert_views_show, wait_for_the_final_config

BAD_FILES = (
    "input = []\n",
    "depth = -3\n",
    "[animation]\nfrom = nan\n",
    "width = 'x'\n",
    "this is not toml",
    "depth = 4\nwidth = 100000000\nbatch = 100000\n",
)


class Hands(Monkey):
    def __init__(self, win, qtbot, rng: random.Random, tmp_path, warnings: list):
        super().__init__(win, qtbot, rng)
        self.tmp, self.warnings, self.files = tmp_path, warnings, 0
        tc, r = win.training, rng
        self.actions += [
            tc.dock.play.click,
            tc.dock.step_btn.click,
            tc.dock.reset_btn.click,
            lambda: tc.dock.scrub.setValue(r.randrange(tc.dock.scrub.maximum() + 1)),
            lambda: tc.dock.live.setChecked(not tc.dock.live.isChecked()),
            self.kill_compute_process,
            lambda: win.files.save_state(self.path("state")),
            lambda: win.files.open_state(self.path("state", old=True)),
            lambda: win.files.load_config_file(self.config_file()),
            lambda: win.files.open_state(self.bad_file()),
            lambda: win.files.load_config_file(self.bad_file()),
            self.save_image,
            lambda: win.set_theme(r.choice(["dark", "light"])),
            lambda: self.key(r.choice([Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3])),
            lambda: self.key(Qt.Key.Key_Space),
        ]

    def path(self, stem: str, old: bool = False) -> str:
        """A state file saved earlier (or one not there: a message), or a new name to save to."""
        if old:
            saved = sorted(self.tmp.glob(f"{stem}-*.toml"))
            return str(self.rng.choice(saved)) if saved else str(self.tmp / "missing.toml")
        self.files += 1
        return str(self.tmp / f"{stem}-{self.files}.toml")

    def config_file(self) -> str:
        r = self.rng
        c = Config(depth=r.choice([2, 6, 14]), width=r.choice([16, 40]), batch=r.choice([16, 64]))
        path = self.path("config")
        c.save(path)
        return path

    def bad_file(self) -> str:
        path = self.path("bad")
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.rng.choice(BAD_FILES))
        return path

    def save_image(self) -> None:
        name = str(self.tmp / f"shot-{self.rng.randrange(3)}.png")
        self._next_save = name  # the Save image dialog returns it (see the fixture)
        self.win.files.save_image()

    def kill_compute_process(self) -> None:
        remote = self.win.engine.remote
        if remote is not None and remote.pid:
            with contextlib.suppress(ProcessLookupError):  # killed a moment ago
                os.kill(remote.pid, signal.SIGKILL)


# seed 16: a compute process killed as it started left frames on the window's thread, where one
# waited 14 s for a symmetry probe's training (gui/engine.py _up, core/parallel.py BlasGuard);
# seeds 2-44 pass as well (2026-12-06)
@pytest.mark.parametrize("seed", [1, 16])
def test_training_files_and_a_killed_process_leave_a_window_that_shows_the_final_config(
    make_window, qtbot, tmp_path, monkeypatch, seed
):
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    # its kills are a crash loop of its own (compute_process.MAX_STARTS), not the next test's
    monkeypatch.setattr(compute_process, "_starts", [])
    win = make_window(START)
    hands = Hands(win, qtbot, random.Random(seed), tmp_path, warnings)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (getattr(hands, "_next_save", ""), "")
    )
    with qtbot.capture_exceptions() as raised:
        for _ in range(300):
            hands.step()
        win.training.play(False)
        win.playback_dock.animation.setCurrentText("off")
        hands.leave_presentation()
        # a last change: the window's views go back from training records to the engine's
        seed = win.network_dock.seed
        seed.setValue((seed.value() + 1) % (seed.maximum() + 1))
        assert not win.training.showing
        wait_for_the_final_config(win, qtbot)
    assert [str(e[1]) for e in raised] == []
    assert all(w and "\n" not in w.strip() and len(w) < 400 for w in warnings), warnings
    assert_views_show(win, win.latest, win.latest_b)
