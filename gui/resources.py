"""Where the files in resources/ are, from source or from a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def root() -> Path:
    return Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent)) / "resources"


def icon_path() -> Path:
    return root() / "icons" / "initscope.svg"
