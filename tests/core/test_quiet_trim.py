"""The compute process hands its heap's free pages back once it has been idle a moment (issue 17's
soak: at the same config and the same bytes in use its heap's RSS ranged over 3.4 MiB, 0.6 with
this; benchmarks/README.md, session 21)."""

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from core import memory

ROOT = Path(__file__).resolve().parents[2]


def wait_for(trims: list, n: int, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while len(trims) < n and time.monotonic() < deadline:
        time.sleep(0.01)


def test_frames_closer_than_the_quiet_interval_never_trim(monkeypatch):
    """A drag's frames (30 a second) would each pay the trim."""
    trims: list[float] = []
    monkeypatch.setattr(memory, "give_back", lambda: trims.append(time.monotonic()))
    quiet = memory.QuietTrim(1.0)  # far longer than the 20 ms between the frames below
    try:
        for _ in range(10):
            quiet.idle()
            time.sleep(0.02)
            quiet.busy()
            time.sleep(0.02)
        assert trims == []
    finally:
        quiet.stop()


def test_a_quiet_process_trims_once_a_quiet_spell(monkeypatch):
    trims: list[float] = []
    monkeypatch.setattr(memory, "give_back", lambda: trims.append(time.monotonic()))
    before = quiet_threads()
    quiet = memory.QuietTrim(0.1)
    try:
        idle_at = time.monotonic()
        quiet.idle()
        wait_for(trims, 1)
        assert len(trims) == 1 and trims[0] - idle_at >= 0.1
        time.sleep(0.3)
        assert len(trims) == 1  # not again until the next frame
        quiet.busy()
        quiet.idle()
        wait_for(trims, 2)
        assert len(trims) == 2
    finally:
        quiet.stop()
    assert quiet_threads() == before  # stop() ends its thread


def quiet_threads() -> int:
    return sum(t.name == "quiet-trim" for t in threading.enumerate())


SCRIPT = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, sys.argv[1])
    from core import memory

    def rss_mib():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * 4096 / 2**20

    memory.map_large_blocks_apart()
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # under the mmap threshold: the heap
    kept = blocks[::50]  # between them the freed ones are the heap's middle, not its top
    del blocks
    before = rss_mib()
    quiet = memory.QuietTrim(0.05)
    quiet.idle()
    while quiet.trims == 0:
        time.sleep(0.01)
    print(before, rss_mib())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_a_frames_freed_small_arrays_leave_the_rss_once_quiet():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT)], capture_output=True, text=True, timeout=60
    )
    before, after = map(float, out.stdout.split())
    assert before - after > 150  # of the 184 MiB freed
