"""`initscope`: parse the command line, build the window, and (for scripts) take a screenshot or
run a self-test. Bad flags or files: one line on stderr, exit status 2, never a traceback."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time

from core import ConfigError
from core.cli import UsageError, _Parser, add_config_flags, config_from_args, piped
from core.lecture import LectureError
from core.messages import shown
from core.presets import PresetError, all_scenes
from core.presets import load as load_preset
from gui import cli_lecture

FIRST_FRAME_TIMEOUT_MS = 60_000


def parse(argv: list[str]) -> argparse.Namespace:
    p = _Parser(prog="initscope", description="Watch weight initialization, layer by layer, live.")
    add_config_flags(p)
    p.add_argument(
        "--screenshot", metavar="OUT.png", help="save the window after the first frame, then exit"
    )
    p.add_argument(
        "--layout-report",
        metavar="OUT.json",
        help="write every visible text and plot, in window pixels, after the first frame; exit",
    )
    p.add_argument(
        "--self-test", action="store_true", help="build the window, run one frame, exit 0/1"
    )
    p.add_argument("--list-presets", action="store_true", help="list the named scenes and exit")
    p.add_argument("--theme", choices=["light", "dark"], help="colour theme")
    p.add_argument("--size", default=None, metavar="WxH", help="window size, e.g. 1920x1080")
    p.add_argument("--presentation", action="store_true", help="start in the presentation view")
    p.add_argument(
        "--scale", type=float, default=1.6, help="type and line scale of the presentation view"
    )
    p.add_argument(
        "--record",
        metavar="OUT.gif|OUT.mp4",
        help="record the animation (sweep or resample) and exit",
    )
    p.add_argument("--frames", type=int, default=40, help="frames to record (1-2000)")
    cli_lecture.add_flags(p)
    args = p.parse_args(argv)
    if not 1.0 <= args.scale <= 4.0:
        raise UsageError(f"--scale: {args.scale} is outside 1 … 4")
    if not 1 <= args.frames <= 2000:
        raise UsageError(f"--frames: {args.frames} is outside 1 … 2000")
    report = args.layout_report
    if report and not os.path.isdir(os.path.dirname(os.path.abspath(report))):
        raise UsageError(f"--layout-report: cannot write {shown(report)}: no such folder")
    if args.record and not args.record.lower().endswith((".gif", ".mp4")):
        raise UsageError(f"--record: {shown(args.record)} must end in .gif or .mp4")
    return args


def _size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size: expected WxH such as 1920x1080, got {shown(text)}") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise UsageError(f"--size: {shown(text)} is outside 200x200 … 8000x8000")
    return w, h


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parse(argv)
        if args.list_presets:
            return piped(_list_presets)
        size = _size(args.size)
        config = config_from_args(args) if _has_config_flags(args) else None
        talk = cli_lecture.read(args)
    except (ConfigError, PresetError, UsageError, LectureError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return _run_window(args, config, size, talk)


def _list_presets() -> int:
    for name, scene in all_scenes().items():
        print(f"{name:24} {scene.title}")
    return 0


def _has_config_flags(args) -> bool:
    skip = {
        "screenshot",
        "layout_report",
        "self_test",
        "list_presets",
        "theme",
        "size",
        "presentation",
        "scale",
        "record",
        "frames",
        "lecture",
        "handout",
    }
    return any(v is not None for k, v in vars(args).items() if k not in skip)


def _run_window(args, config, size, talk=None) -> int:
    from gui import compute_process

    compute_process.shared()  # first: it starts up on the other core while Qt loads here
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from gui import gc_pause, resources
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("InitScope")
    app.setOrganizationName("InitScope")
    app.setWindowIcon(QIcon(str(resources.icon_path())))
    scripted = bool(
        args.screenshot or args.self_test or args.record or args.handout or args.layout_report
    )
    # scripted runs must not read or overwrite a lecturer's saved layout and config
    settings = (
        QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "InitScope", "scripted")
        if scripted
        else None
    )
    if scripted:
        settings.clear()
    if args.theme and settings is not None:
        settings.setValue("theme", args.theme)
    win = MainWindow(config, settings=settings)
    if talk is not None:
        cli_lecture.open_in(win, args, talk)
    win = _show_window(win, args, config, size, scripted)
    gc_pause.freeze_when_settled(win)
    try:
        if args.handout:
            code = cli_lecture.run_handout(app, win, args, talk)
            win.close()
            _dispose(win)
            return code
        if not scripted:
            code = app.exec()
            _dispose(win)
            return code
        return _run_scripted(app, win, args)
    finally:
        gc_pause.thaw()  # (a run that raised did not reach _dispose)


def _show_window(win, args, config, size, scripted: bool):
    """The window with the preset, theme, size and presentation view the flags ask for."""
    _report_first_frame(win)
    if args.preset:  # flags given beside the preset override it (config_from_args folds them)
        scene = load_preset(args.preset)
        win.load_scene(dataclasses.replace(scene, config=config) if config else scene)
    if args.theme and not scripted:
        win.set_theme(args.theme)
    if size:
        win.resize(*size)
    win.show()
    if args.presentation:
        win.presentation.scale = args.scale
        win.presentation.enter(full_screen=not size)
        if size:
            win.resize(*size)
    return win


def _run_scripted(app, win, args) -> int:
    """A screenshot, self-test or recording once the window shows its own newest frame."""
    from PySide6.QtCore import QTimer

    win.grid.blend = False
    result = {"code": 1}

    waiting = QTimer(win)
    waiting.setSingleShot(True)
    what = ["no frame was computed"]

    def finish(_snap):
        if win.up_to_date:
            if what[0] == "no frame was computed":  # the canvas's probes get their own minute
                what[0] = "the presentation's views did not finish"
                waiting.start(FIRST_FRAME_TIMEOUT_MS)
            QTimer.singleShot(50, lambda: _finish(win, args, result, app))

    def timeout():
        if not result.get("done"):
            print(f"error: {what[0]} within 60 s", file=sys.stderr)
            app.exit(1)

    win.frame_shown.connect(finish)
    waiting.timeout.connect(timeout)
    waiting.start(FIRST_FRAME_TIMEOUT_MS)
    code = app.exec()
    win.close()
    _dispose(win)
    return result["code"] if code == 0 else code


def _dispose(win) -> None:
    """Delete the closed window, and with it every plot item, while Python is whole. Left to
    PySide's exit-time cleanup, Python-owned Qt objects are destroyed in no fixed order: a
    QGraphicsWidget torn down after its Python side called into it and segfaulted (exit -11 in 5 of
    8 runs of `--preset unit-normal-tanh --depth 8 --screenshot`; 0 of 12 with this)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    from gui import gc_pause

    gc_pause.thaw()
    if shiboken6.isValid(win):  # not already deleted by Qt
        win.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _report_first_frame(win) -> None:
    """With INITSCOPE_LAUNCH_T0=<epoch seconds> (`$(date +%s.%N)` in the launching shell), print
    the launch-to-first-frame time on stderr (scripts/smoke_dist.sh, the README's figures)."""
    try:
        t0 = float(os.environ.get("INITSCOPE_LAUNCH_T0", ""))
    except ValueError:
        return

    def report(_snap) -> None:
        win.frame_shown.disconnect(report)
        print(f"first frame: {time.time() - t0:.3f} s after launch", file=sys.stderr)

    win.frame_shown.connect(report)


def _finish(win, args, result, app) -> None:
    if result.get("done") or not win.up_to_date:  # a newer frame came in the meantime
        return
    if win.presentation.canvas.animating or win.grid.animating:  # views still filling: soon
        from PySide6.QtCore import QTimer

        QTimer.singleShot(50, lambda: _finish(win, args, result, app))
        return
    result["done"] = True
    from gui import selftest

    if args.self_test:
        problems = selftest.check(win)
        for p in problems:
            print(f"self-test: {p}", file=sys.stderr)
        if not problems:
            from core import fused

            print(f"self-test: ok (statistics: {'C kernels' if fused.AVAILABLE else 'NumPy'})")
        result["code"] = 1 if problems else 0
    if args.record:
        frames = win.record(args.record, args.frames, show_progress=False)
        if frames != args.frames:
            print(
                f"error: recorded {frames} of {args.frames} frames to {args.record}",
                file=sys.stderr,
            )
            result["code"] = 1
        else:
            print(f"recorded {frames} frames to {args.record}")
            result["code"] = 0
    if args.screenshot:
        img = win.grab()
        if not img.save(args.screenshot):
            print(f"error: cannot write {args.screenshot}", file=sys.stderr)
            result["code"] = 2
        elif not args.self_test:
            result["code"] = 0
    if args.layout_report:
        _write_report(app, win, args, result)
    app.exit(0)


def _write_report(app, win, args, result) -> None:
    from gui.canvas import report

    app.processEvents()  # the layouts the last frame asked for, as a paint would have them
    try:
        report.write(win, args.layout_report)
    except OSError as e:
        print(f"error: cannot write {shown(args.layout_report)}: {e.strerror}", file=sys.stderr)
        result["code"] = 2
        return
    if not (args.self_test or args.screenshot):
        result["code"] = 0
