"""What the frozen bundle runs (build.spec): `initscope [--version | the app's flags]`.

`--compute-server FD FD FD` is the window's compute process (core/serve.py): no Qt is loaded.
`--version` answers without opening a window, from the metadata the bundle carries, so the smoke
test (scripts/smoke_dist.sh) can check the bundle's version against pyproject.toml.

INITSCOPE_LAUNCH_T0=<epoch seconds> (e.g. `$(date +%s.%N)` in the shell that starts the bundle)
prints `first frame: <s> s after launch` on stderr when the window shows its first frame
(gui/app.py), to measure launch-to-first-frame of the frozen app (scripts/smoke_dist.sh reports
it).
"""

import sys


def launch(argv: list[str]) -> int:
    if argv[:1] == ["--compute-server"]:  # the window's compute process (gui/compute_process.py)
        from core.serve import main as serve

        return serve(argv[1:])
    if argv == ["--version"]:
        from gui.main_window import app_version

        print(f"InitScope {app_version()}")
        return 0
    from gui.app import main

    return main(argv)


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
