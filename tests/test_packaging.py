"""The bundle's recipe, checked without building it: build.spec is run with stand-ins for
PyInstaller's Analysis/PYZ/EXE/COLLECT, and what it would hand them is inspected.
The build itself is smoke-tested by scripts/smoke_dist.sh (in .ci/run)."""

from __future__ import annotations

import configparser
import struct
import subprocess
import sys
import tomllib
from email.parser import Parser
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]


def run_spec(tmp_path: Path, monkeypatch, onefile: bool = False) -> dict:
    """Execute build.spec as PyInstaller would, recording the calls it makes."""
    calls: dict = {"EXE": [], "COLLECT": []}

    def analysis(scripts, **kw):
        calls["Analysis"] = SimpleNamespace(scripts=scripts, **kw)
        return SimpleNamespace(binaries=[], datas=list(kw["datas"]), pure=[], scripts=[])

    def record(name):
        def call(*args, **kw):
            calls[name].append(SimpleNamespace(args=args, **kw))
            return object()

        return call

    if onefile:
        monkeypatch.setenv("INITSCOPE_ONEFILE", "1")
    else:
        monkeypatch.delenv("INITSCOPE_ONEFILE", raising=False)
    namespace = {
        "SPECPATH": str(ROOT),
        "workpath": str(tmp_path),
        "DISTPATH": str(tmp_path / "dist"),
        "Analysis": analysis,
        "PYZ": lambda *a, **k: object(),
        "EXE": record("EXE"),
        "COLLECT": record("COLLECT"),
    }
    spec = ROOT / "build.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return {**calls, "ns": namespace}


def test_app_version_is_pyprojects():
    from gui.main_window import VERSION as FALLBACK
    from gui.main_window import app_version

    assert app_version() == VERSION
    assert FALLBACK == VERSION, "gui/main_window.py's fallback VERSION is out of step"


def test_launcher_prints_the_version(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "initscope_launcher", ROOT / "scripts" / "initscope_launcher.py"
    )
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    assert launcher.launch(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"InitScope {VERSION}"


def test_spec_bundles_every_resource(tmp_path, monkeypatch):
    datas = run_spec(tmp_path, monkeypatch)["Analysis"].datas
    bundled = {(Path(src).resolve(), Path(dest)) for src, dest in datas}
    files = [p for p in (ROOT / "resources").rglob("*") if p.is_file()]
    assert files, "resources/ is empty"
    for p in files:
        assert (p.resolve(), p.parent.relative_to(ROOT)) in bundled, f"{p} is not bundled"
    for name in ("initscope.desktop", "icons/initscope.svg", "icons/initscope.png"):
        assert (ROOT / "resources" / name).is_file(), f"resources/{name} is missing"


def test_spec_carries_the_version_as_metadata(tmp_path, monkeypatch):
    datas = run_spec(tmp_path, monkeypatch)["Analysis"].datas
    infos = [(Path(src), dest) for src, dest in datas if dest.startswith("initscope-")]
    assert len(infos) == 1
    src, dest = infos[0]
    assert dest == f"initscope-{VERSION}.dist-info" == src.name
    meta = Parser().parsestr((src / "METADATA").read_text(encoding="utf-8"))
    assert (meta["Name"], meta["Version"]) == ("initscope", VERSION)


def test_spec_trims_but_keeps_what_the_app_needs(tmp_path, monkeypatch):
    calls = run_spec(tmp_path, monkeypatch)
    excludes = set(calls["Analysis"].excludes)
    for dev_only in ("matplotlib", "pytest", "psutil", "tkinter", "unittest", "pdb"):
        assert dev_only in excludes
    needed = ("pydoc", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "numpy", "PIL", "imageio")
    for name in needed:  # parametertree imports pydoc; GIFs need Pillow
        assert name not in excludes
    # PlotCurveItem imports the QtOpenGL binding: left out (9 MiB), so a stand-in must be there
    assert "PySide6.QtOpenGL" in excludes
    hooks = [Path(h).name for h in calls["Analysis"].runtime_hooks]
    assert hooks == ["rthook_no_qtopengl.py"]
    assert calls["Analysis"].scripts[0].endswith("scripts/initscope_launcher.py")
    keep = calls["ns"]["keep"]
    qt = "PySide6/Qt/plugins/"
    for kept in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "imageformats/libqsvg.so"):
        assert keep(qt + kept), kept
    for dropped in (
        "platforms/libqwayland.so",
        "platforms/libqeglfs.so",
        "platforms/libqvnc.so",
        "platforms/libqlinuxfb.so",
        "platformthemes/libqgtk3.so",
        "wayland-shell-integration/libxdg-shell.so",
    ):
        assert not keep(qt + dropped), dropped
    assert not keep("PySide6/Qt/translations/qt_de.qm")
    assert not keep("PySide6/Qt/lib/libQt6Network.so.6")
    assert not keep("imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v9.0.2")  # 165 MiB, opt-in


def test_spec_never_strips(tmp_path, monkeypatch):
    """strip=True breaks numpy's OpenBLAS (platform-notes.md)."""
    for onefile in (False, True):
        calls = run_spec(tmp_path, monkeypatch, onefile=onefile)
        for call in calls["EXE"] + calls["COLLECT"]:
            assert call.strip is False


def test_spec_one_folder_by_default_one_file_on_request(tmp_path, monkeypatch):
    onedir = run_spec(tmp_path, monkeypatch)
    assert len(onedir["COLLECT"]) == 1 and onedir["COLLECT"][0].name == "initscope"
    assert onedir["EXE"][0].exclude_binaries is True
    onefile = run_spec(tmp_path, monkeypatch, onefile=True)
    assert onefile["COLLECT"] == []
    assert onefile["EXE"][0].name == "initscope-onefile"


def test_desktop_file_and_png_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "initscope.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application"
    assert d["Name"] == "InitScope"
    assert d["Exec"].split()[0] == "initscope"
    assert d["Icon"] == "initscope"
    assert d["Categories"].endswith(";")
    png = (ROOT / "resources" / "icons" / "initscope.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)


@pytest.mark.parametrize("path", ["scripts/smoke_dist.sh", ".ci/run"])
def test_ci_builds_and_smoke_tests_the_bundle(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    if path == ".ci/run":
        lines = [line.strip() for line in text.splitlines()]
        assert lines.index("make test") < lines.index("make dist")
        assert "scripts/smoke_dist.sh" in text
    else:
        assert "QT_QPA_PLATFORM=xcb" in text and "xvfb-run" in text


def test_qtopengl_stand_in_lets_pyqtgraph_import_and_fails_loudly():
    """What the bundle's runtime hook does, in a fresh interpreter: pyqtgraph's curves import
    (and draw without OpenGL); reaching into the missing binding names what is missing."""
    code = (
        "import runpy, sys\n"
        "runpy.run_path('scripts/rthook_no_qtopengl.py')\n"
        "from pyqtgraph.graphicsItems.PlotCurveItem import PlotCurveItem\n"
        "import PySide6.QtOpenGL as gl\n"
        "try:\n"
        "    gl.QOpenGLBuffer\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "QOpenGLBuffer: OpenGL drawing is not part of this bundle" in out.stdout
