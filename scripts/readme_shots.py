"""The README's pictures of the presentation view, made by the app itself.

    .venv/bin/python scripts/readme_shots.py        # writes docs/images/presentation-NAME.png

Each is `initscope --preset NAME --presentation --screenshot OUT --size 1280x720`, offscreen,
so the pictures show what a lecturer's projector shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENES = ("tiny-normal-tanh", "xavier-tanh", "he-relu")
SIZE = "1280x720"


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
    return 0


if __name__ == "__main__":
    sys.exit(main())
