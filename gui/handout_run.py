"""Making a handout from the window itself: each scene of the lecture shown, waited for, pictured.

The pictures are the window's own (the presentation view at the window's size), taken once the
scene's frame is shown and nothing on the canvas still waits for an answer; the event loop runs
meanwhile, so the window stays live and the compute stays off the UI thread.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from core import captions
from core import lecture as lectures
from gui import handout

POLL_MS = 50
STILL_POLLS = 6  # a settled scene whose picture still changes is pictured after this many
SCENE_TIMEOUT_S = 60


class HandoutRun(QObject):
    finished = Signal(str)  # "" when written, else the one-line error

    def __init__(self, win, lecture: lectures.Lecture, pdf: str | Path, parent=None):
        super().__init__(parent or win)
        self.win, self.lecture, self.pdf = win, lecture, Path(pdf)
        self.html = self.pdf.with_suffix(".html")
        self.pages: list[handout.Page] = []
        self.problems: list[str] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._since = 0.0
        self._candidate = None  # the picture at the last poll, kept once it is the same again
        self._looks = 0  # pictures taken of this scene while settled

    def start(self) -> None:
        self._next()

    def _next(self) -> None:
        i = len(self.pages)
        if i == len(self.lecture.scenes):
            self._timer.stop()
            self.finished.emit(self._write())
            return
        self.win.load_scene(self.lecture.scenes[i])
        # a page pictures every layer's data, not a staged scene's empty views or its question
        self.win.state.update(reveal=None, picked=None)
        self._since = time.monotonic()
        self._candidate, self._looks = None, 0
        self._timer.start()

    def _poll(self) -> None:
        late = time.monotonic() - self._since > SCENE_TIMEOUT_S
        if not (late or self.settled()):
            self._candidate, self._looks = None, 0
            return
        scene = self.lecture.scenes[len(self.pages)]
        if late:
            self.problems.append(
                f"handout: scene {scene.name!r} had no frame within {SCENE_TIMEOUT_S} s"
            )
        elif not self._still():
            return
        self.pages.append(self._page(scene, self._candidate))
        self._next()

    def _still(self) -> bool:
        """The picture is the same at two polls in a row (or STILL_POLLS have passed): a paint
        can move what it drew (labels placed from a range the paint settles), and a page
        pictured between the two differed from the same scene's picture taken later (a full
        test run now and then)."""
        picture, self._candidate = self._candidate, self._picture()
        self._looks += 1
        return self._looks >= STILL_POLLS or (picture is not None and picture == self._candidate)

    def settled(self) -> bool:
        """The scene's own frame is on screen and no view waits for more."""
        win = self.win
        if not (win.up_to_date and win.latest is not None and not win.presenter.pending):
            return False
        return not (win.presentation.active and win.presentation.canvas.animating)

    def _page(self, scene, picture=None) -> handout.Page:
        title, claim, _ = captions.live(scene, self.win.latest, self.win.latest_b)
        return handout.Page(
            title=title,
            claim=claim,
            image=picture if picture is not None else self._picture(),
            reproduce=lectures.reproduce(scene),
        )

    def _picture(self):
        """The canvas's views (the page prints the title and claim itself), or the window."""
        p = self.win.presentation
        widget = p.canvas.body if p.active else self.win
        return widget.grab().toImage()

    def _write(self) -> str:
        try:
            handout.write_pdf(self.pages, self.pdf, self.lecture.title)
            handout.write_html(self.pages, self.html, self.lecture.title)
        except handout.HandoutError as e:
            return str(e)
        return ""
