"""The README's pictures of the presentation view, made by the app itself.

    .venv/bin/python scripts/readme_shots.py        # writes docs/images/presentation-NAME.png

Each is `initscope --preset NAME --presentation --screenshot OUT --size 1280x720`, offscreen,
so the pictures show what a lecturer's projector shows. Then the built-in lecture's handout
(`initscope --handout`), two of whose pages become docs/images/handout-page-N.png by poppler's
pdftoppm (Debian's poppler-utils), when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENES = ("tiny-normal-tanh", "xavier-tanh", "fan-in-vs-fan-out")  # the first asks its question
SIZE = "1280x720"
HANDOUT_PAGES = (4, 10)  # tiny-normal-tanh and fan-in-vs-fan-out in the lecture's order


def main() -> int:
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    for name in SCENES:
        path = out / f"presentation-{name}.png"
        args = ["--preset", name, "--presentation", "--size", SIZE, "--screenshot", str(path)]
        cmd = [sys.executable, "-m", "gui", *args]
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"error: {name}: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return r.returncode
        print(path.relative_to(ROOT))
    return handout_pages(out, env)


def handout_pages(out: Path, env: dict) -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found (apt-get install poppler-utils): handout pages not made")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "handout.pdf"
        cmd = [sys.executable, "-m", "gui", "--handout", str(pdf)]
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"error: handout: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return r.returncode
        for page in HANDOUT_PAGES:
            stem = out / f"handout-page-{page}"
            args = ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile"]
            subprocess.run([*args, str(pdf), str(stem)], check=True)
            print(stem.with_suffix(".png").relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
