"""A GIF of a staged scene revealed layer by layer (issue 20), made by the app itself.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/reveal_gif.py
    # writes docs/images/reveal-tiny-normal-tanh.gif (1280×720)

The presentation view of the scene, staged (the T key), then stepped (Space) through the forward
pass and back: a frame per step, and one halfway through each step's fade-in. Options: --preset
NAME, --size WxH, --out PATH, --frames DIR (each frame also as a PNG, to look at).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP_S, FADE_S, LAST_S = 0.8, 0.12, 3.0  # how long each frame shows in the GIF


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="tiny-normal-tanh")
    p.add_argument("--size", default="1280x720")
    p.add_argument("--out", default=None, help="default docs/images/reveal-PRESET.gif")
    p.add_argument("--frames", default=None, help="also write each frame as a PNG here")
    return p.parse_args(argv)


def settle(app, win, timeout_s: float = 120.0) -> None:
    """Until the window shows its newest frame and the canvas has nothing left to draw."""
    canvas = win.presentation.canvas
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        app.processEvents()
        if win.latest is not None and win.up_to_date and not canvas.animating:
            app.processEvents()
            return
        time.sleep(0.01)
    raise SystemExit(f"error: {win.scene.name} did not settle within {timeout_s:.0f} s")


def grab(win) -> np.ndarray:
    from PySide6.QtGui import QImage

    img = win.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width(), img.height()
    return (
        np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * h)
        .reshape(h, img.bytesPerLine())[:, : 3 * w]
        .reshape(h, w, 3)
        .copy()
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    import imageio.v2 as imageio
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from core import presets
    from gui.app import _dispose
    from gui.main_window import MainWindow

    width, height = (int(v) for v in args.size.split("x"))
    out = Path(args.out or ROOT / "docs" / "images" / f"reveal-{args.preset}.gif")
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        win = MainWindow(settings=settings)
        win.load_scene(presets.load(args.preset))
        win.resize(width, height)
        win.show()
        win.presentation.enter(full_screen=False)
        win.resize(width, height)
        settle(app, win)
        frames, durations = record(app, win)
        win.presentation.leave()
        win.close()
        _dispose(win)  # as the app does: the window's workers stopped, its items deleted
    out.parent.mkdir(parents=True, exist_ok=True)
    imageio.mimsave(out, frames, duration=[1000 * d for d in durations], loop=0)
    if args.frames:
        folder = Path(args.frames)
        folder.mkdir(parents=True, exist_ok=True)
        for i, frame in enumerate(frames):
            imageio.imwrite(folder / f"frame-{i:02d}.png", frame)
    print(f"{out} ({len(frames)} frames, {out.stat().st_size / 1e6:.1f} MB)")
    return 0


def record(app, win) -> tuple[list[np.ndarray], list[float]]:
    """The staged scene, then each step: halfway through its fade, and in full."""
    canvas = win.presentation.canvas
    if not win.reveal.staged:  # a scene with a question (or staged = true) opens staged
        win.reveal.toggle_stage()
    settle(app, win)
    frames, durations = [grab(win)], [STEP_S]
    while not win.state.reveal.complete:
        win.reveal.space()
        canvas.fade.stop()
        canvas.show_fade(0.5)
        app.processEvents()
        frames.append(grab(win))
        durations.append(FADE_S)
        canvas.show_fade(1.0)
        settle(app, win)
        frames.append(grab(win))
        durations.append(STEP_S)
    durations[-1] = LAST_S
    return frames, durations


if __name__ == "__main__":
    sys.exit(main())
