"""`initscope --lecture FILE` and `--handout OUT.pdf` (issue #21): the lecture the window steps
through, and its handout written by the window itself, then exit."""

from __future__ import annotations

import argparse
import sys

from core import lecture as lectures
from core.cli import UsageError
from core.messages import shown

HANDOUT_SIZE = (1920, 1080)  # the pictures: the presentation view as a room's projector shows it


def add_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lecture", metavar="FILE", help="a lecture file: its scenes, in its order")
    p.add_argument(
        "--handout",
        metavar="OUT.pdf",
        help="write the lecture's handout (PDF, and HTML beside it) and exit",
    )


def read(args: argparse.Namespace) -> lectures.Lecture | None:
    """The lecture the flags name (the built-in one for a handout without --lecture); its bad
    scenes' lines on stderr. A file that cannot be opened: LectureError (one line, exit 2)."""
    if args.handout and not args.handout.lower().endswith(".pdf"):
        raise UsageError(f"--handout: {shown(args.handout)} must end in .pdf")
    if args.lecture:
        talk = lectures.read(args.lecture)
    elif args.handout:
        talk = lectures.builtin()
    else:
        return None
    for problem in talk.problems:
        print(f"warning: {problem}", file=sys.stderr)
    if not talk.scenes:
        raise lectures.LectureError(f"lecture {shown(args.lecture)}: no scene could be read")
    return talk


def open_in(win, args: argparse.Namespace, talk: lectures.Lecture) -> None:
    """The window steps through the lecture's scenes; the first shows unless --preset says."""
    win.lecture.use(talk)
    if not args.preset:
        win.load_scene(talk.scenes[0])


def run_handout(app, win, args: argparse.Namespace, talk: lectures.Lecture) -> int:
    """Each scene in the presentation view, pictured; then the PDF and the HTML; exit status."""
    from gui.handout_run import HandoutRun

    if not win.presentation.active:
        win.presentation.enter(full_screen=False)
    if not args.size:
        win.resize(*HANDOUT_SIZE)
    run = HandoutRun(win, talk, args.handout)
    result = {"code": 1}

    def finished(error: str) -> None:
        if error:
            print(f"error: {error}", file=sys.stderr)
            result["code"] = 2
        else:
            html = run.html
            print(f"handout: {len(run.pages)} pages to {args.handout} and {html}")
            result["code"] = 0
        for problem in run.problems:
            print(f"warning: {problem}", file=sys.stderr)
        app.exit(0)

    run.finished.connect(finished)
    run.start()
    app.exec()
    return result["code"]
