"""Recording a GIF or MP4 frame by frame: one loop for the animation's sweep and for training.

Each frame is asked for, waited for until the views show it, then grabbed: a recording is as
many frames as asked, whatever the machine's speed. Frames are not blended while it runs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QProgressDialog

from gui import export

WAIT_MS = 30_000  # the longest a frame is waited for


def record(
    win,
    path: str,
    frames: int,
    advance: Callable[[int], None],
    shown: SignalInstance,
    grab: Callable[[], np.ndarray],
    show_progress: bool = False,
) -> int:
    """advance(i) asks for frame i; once `shown` fires, grab() is written. With show_progress, a
    dialog that can cancel. Returns the frames written (0 on failure, said in the window)."""
    dialog = QProgressDialog("Recording…", "Cancel", 0, frames, win) if show_progress else None
    step = _waiting(advance, shown)

    def progress(n: int) -> bool:
        dialog.setValue(n)
        QCoreApplication.processEvents()
        return not dialog.wasCanceled()

    win.presenter.recording = True
    try:
        written = export.record(path, frames, step, grab, progress if dialog else None)
    except (export.ExportError, OSError, RuntimeError) as e:  # RuntimeError: no ffmpeg for MP4
        win.show_message(f"recording failed: {e}")
        written = 0
    finally:
        win.presenter.recording = False
        if dialog is not None:
            dialog.close()
    if written:
        win.statusBar().showMessage(f"recorded {written} frames to {path}", 5000)
    return written


def _waiting(advance: Callable[[int], None], shown: SignalInstance) -> Callable[[int], None]:
    """advance, then wait until `shown` fires (at most WAIT_MS; not at all if it fired inside)."""
    loop = QEventLoop()
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    came = []

    def arrived(*_) -> None:
        came.append(True)
        loop.quit()

    def step(i: int) -> None:
        came.clear()
        shown.connect(arrived)
        guard.start(WAIT_MS)
        try:
            advance(i)
            if not came:
                loop.exec()
        finally:
            guard.stop()
            shown.disconnect(arrived)

    return step


def record_animation(win, path: str, frames: int, show_progress: bool = True) -> int:
    """The animation (sweep or resample; resample if it is off), paused, stepped one frame per
    1/frames of its period; each frame of the window's middle grabbed once shown."""
    state = win.state
    anim = state.animation
    anim = anim.replace(mode="resample" if anim.mode == "off" else anim.mode)
    state.animation = anim.replace(mode="off")

    def advance(i: int) -> None:
        before = (state.config, state.compare)
        state.apply_changes(anim.next_changes(state.edited, i / max(frames, 1) * anim.period))
        if (state.config, state.compare) == before:  # a sweep's value again: the frame anyway
            win.compute.submit(force=True)

    grab = lambda: export.frame_array(win.centralWidget())  # noqa: E731
    return record(win, path, frames, advance, win.frame_shown, grab, show_progress)
