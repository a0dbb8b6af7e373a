"""Pictures and clips for slides: PNG at 2×, SVG of the plots, GIF/MP4 of an animation, and the
whole state as TOML. Uses Qt's painters and imageio (+ imageio-ffmpeg's own ffmpeg)."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import tomli_w
from PySide6.QtCore import QCoreApplication, QObject, QPoint, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QWidget

from core import Config, ConfigError, tomlfile
from core.config import MAX_DEPTH
from core.messages import clipped
from gui.animation import MODES as ANIMATIONS
from gui.animation import SWEEP_RANGES

VIDEO_SUFFIXES = (".gif", ".mp4")


class ExportError(ValueError):
    """A file that could not be written or read: one line for the user."""


def render(widget: QWidget, scale: float = 2.0) -> QImage:
    """The widget drawn at `scale`× its pixels: text and lines stay sharp on a slide. Opaque
    (the window's colour first): the raster engine paints RGB32 natively, where ARGB32 (not
    premultiplied) was converted at every blend, 1.4-2× the UI thread's time (issue 17)."""
    size = widget.size() * scale
    img = QImage(size, QImage.Format.Format_RGB32)
    img.setDevicePixelRatio(scale)
    img.fill(widget.palette().window().color())
    painter = QPainter(img)
    QWidget.render(widget, painter, QPoint(0, 0))  # QGraphicsView overrides render()
    painter.end()
    return img


def save_png(widget: QWidget, path: str | Path, scale: float = 2.0) -> Path:
    p = _writable(path)
    _write_png(render(widget, scale), p)
    return p


def save_png_later(
    widget: QWidget,
    path: str | Path,
    scale: float = 2.0,
    done: Callable[[Path, str], None] | None = None,
) -> Path:
    """save_png, the encoding and writing on a worker thread: they were 260 of the 310 ms (CPU)
    a 1920×1080 window at 2× held the UI thread (issue 17); the picture is taken here, at once.
    A path that cannot be written is an ExportError here; a write that fails later is told to
    done(path, message), called on the UI thread like done(path, "") after a good write. The
    file appears whole (written beside it, then renamed)."""
    p = _writable(path)
    image = render(widget, scale)  # implicitly shared, and no one paints into it any more
    relay = _Relay.instance()

    def write() -> None:
        error = ""
        try:
            _write_png(image, p)
        except ExportError as e:
            error = str(e)
        if done is not None and QCoreApplication.instance() is not None:  # not after quitting
            relay.finished.emit(done, p, error)

    _writer().submit(write)
    return p


class _Relay(QObject):
    """Brings a worker's result to the UI thread (a queued signal to an object living there)."""

    finished = Signal(object, object, str)  # done, path, error
    _made: _Relay | None = None

    @classmethod
    def instance(cls) -> _Relay:
        if cls._made is None:
            cls._made = cls()
            cls._made.finished.connect(lambda done, p, error: done(p, error))
        return cls._made


@functools.cache
def _writer() -> ThreadPoolExecutor:
    """One thread, so images are written in the order they were taken; the interpreter waits
    for it at exit, so a picture taken just before quitting is still written."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="initscope-png")


def _writable(path: str | Path) -> Path:
    p = Path(path)
    if not p.parent.is_dir():
        raise ExportError(f"cannot write {p}: no folder {p.parent}")
    if p.is_dir():
        raise ExportError(f"cannot write {p}: a folder has that name")
    return p


def _write_png(image: QImage, p: Path) -> None:
    """Beside the target, then renamed onto it: a reader never sees half a file."""
    part = p.with_name(f".{p.name}.part")
    try:
        if not image.save(str(part), "PNG"):
            raise ExportError(f"cannot write {p}")
        os.replace(part, p)
    except OSError as e:
        raise ExportError(f"cannot write {p}: {e.strerror}") from None
    finally:
        part.unlink(missing_ok=True)


def save_svg(widget: QWidget, path: str | Path) -> Path:
    """Vector export through Qt's own SVG painter: pyqtgraph 0.14's SVGExporter fails on closed
    paths (pyqtgraph#3495, ValueError in correctCoordinates), which every plot frame has."""
    p = Path(path)
    gen = QSvgGenerator()
    gen.setFileName(str(p))
    gen.setSize(widget.size())
    gen.setViewBox(widget.rect())
    gen.setTitle("InitScope")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError(f"cannot write {p}")
    QWidget.render(widget, painter, QPoint(0, 0))  # QGraphicsView overrides render()
    painter.end()
    if not p.exists() or p.stat().st_size == 0:
        raise ExportError(f"cannot write {p}")
    return p


def frame_array(widget: QWidget, scale: float = 1.0) -> np.ndarray:
    """RGB uint8 array of the widget, for the video writer (even sides, which H.264 needs)."""
    img = render(widget, scale).convertToFormat(QImage.Format.Format_RGB888)
    w, h = img.width() // 2 * 2, img.height() // 2 * 2
    buf = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    return buf[:h, : w * 3].reshape(h, w, 3).copy()


class Recorder:
    """Writes frames to a GIF or MP4 as they come; close() finishes the file."""

    def __init__(self, path: str | Path, fps: float = 10.0):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in VIDEO_SUFFIXES:
            raise ExportError(f"record: {self.path.name} must end in .gif or .mp4")
        kwargs = (
            {"duration": 1000 / fps, "loop": 0}
            if suffix == ".gif"
            else {"fps": fps, "macro_block_size": 2}
        )
        try:
            import imageio.v2 as imageio  # here, not at start-up: ~80 ms of imports

            self._writer = imageio.get_writer(str(self.path), **kwargs)
        except OSError as e:
            raise ExportError(f"cannot write {self.path}: {e}") from None
        self.frames = 0

    def add(self, frame: np.ndarray) -> None:
        self._writer.append_data(frame)
        self.frames += 1

    def close(self) -> None:
        self._writer.close()


def record(
    path: str | Path,
    frames: int,
    step: Callable[[int], None],
    grab: Callable[[], np.ndarray],
    progress: Callable[[int], bool] | None = None,
    fps: float = 10.0,
) -> int:
    """Drive `frames` steps, grabbing after each; progress(i) returning False cancels. Returns the
    number of frames written (a cancelled file is removed)."""
    rec = Recorder(path, fps)
    try:
        for i in range(frames):
            step(i)
            rec.add(grab())
            if progress is not None and not progress(i + 1):
                rec.close()
                Path(path).unlink(missing_ok=True)
                return 0
    finally:
        if not rec._writer.closed:
            rec.close()
    return rec.frames


# ----------------------------------------------------------------- state
def write_text(path: str | Path, text: str) -> Path:
    p = Path(path)
    try:
        p.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write {p}: {e.strerror}") from None
    return p


def state_toml(config: Config, compare: Config | None, view: dict, animation: dict) -> str:
    data = {"config": config.to_dict(), "view": view, "animation": animation}
    if compare is not None:
        data["compare"] = compare.to_dict()
    return tomli_w.dumps(data)


STATE_TABLES = ("config", "compare", "view", "animation")


def _flag(v) -> bool:
    return isinstance(v, bool)


# what SessionState.to_toml writes under [view]: the check, and what it expects
VIEW_FIELDS = {
    "preact": (_flag, "true or false"),
    "grad": (_flag, "true or false"),
    "wgrad": (_flag, "true or false"),
    "per_layer_y": (_flag, "true or false"),
    "x_axis": (lambda v: v in ("auto", "linear", "log"), '"auto", "linear" or "log"'),
    "theory": (_flag, "true or false"),
    "editing": (lambda v: v in ("A", "B"), '"A" or "B"'),
    "focus_layer": (
        lambda v: type(v) is int and 0 <= v <= MAX_DEPTH,
        f"a layer number from 0 to {MAX_DEPTH}",
    ),
    "scene": (lambda v: isinstance(v, str) and len(v) <= 200, "a scene's name"),
}


def read_state(path: str | Path) -> tuple[Config, Config | None, dict, dict]:
    """A saved state, or a plain config file (then with no comparison and default view). Parsed
    once; every field checked here, so the window applies nothing it would have to undo."""
    p = Path(path)
    try:
        data = tomlfile.read(p)
        if "config" not in data:
            return Config.from_file_data(data), None, {}, {}
        unknown = [k for k in data if k not in STATE_TABLES]
        if unknown:
            raise ConfigError(unknown[0], data[unknown[0]], "one of " + ", ".join(STATE_TABLES))
        config = Config.from_dict(_table(data, "config"))
        compare = Config.from_dict(_table(data, "compare")) if "compare" in data else None
        view, animation = _table(data, "view"), _table(data, "animation")
        _check("view", view, VIEW_FIELDS)
        _check("animation", animation, ANIMATION_FIELDS)
    except ConfigError as e:  # a file-level error names the file already
        where = "" if e.field == "file" else f"{clipped(p.name)}: "
        raise ExportError(f"{where}{e}") from None
    return config, compare, view, animation


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}]", value, "a table")
    return value


def _check(table: str, values: dict, fields: dict) -> None:
    """Every key of a state file's [view] or [animation] known, every value what it must be."""
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{table}.{key}", value, "one of " + ", ".join(fields))
        ok, what = fields[key]
        if not ok(value):
            raise ConfigError(f"{table}.{key}", value, what)


# The keys the window's animation state writes; a number must be finite (a NaN `from` once
# became the spin box's maximum, a 100…100 sweep).
ANIMATION_FIELDS = {
    "mode": (lambda v: _one_of(v, ANIMATIONS), "one of " + ", ".join(ANIMATIONS)),
    "param": (
        lambda v: _one_of(v, ("", *SWEEP_RANGES)),
        "one of " + ", ".join(SWEEP_RANGES) + ' or ""',
    ),
    "from": (lambda v: _finite(v), "a finite number"),
    "to": (lambda v: _finite(v), "a finite number"),
    "period": (lambda v: _finite(v), "a finite number of seconds"),
}


def _one_of(v, names) -> bool:
    return isinstance(v, str) and v in names


def _finite(v) -> bool:
    """Also refuses an integer too big for a float (the spin boxes' setValue would overflow)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and -1e300 <= v <= 1e300
