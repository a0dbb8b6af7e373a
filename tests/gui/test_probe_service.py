"""The probes' worker (gui/canvas/probes.py) answers the newest request of a view: a run in
progress is abandoned when its view asks again. A symmetry run on a wide net trains for seconds,
and the answer for the config on screen waited behind it (found by test_monkey_more.py, where a
frame made on the window's thread waited for it too)."""

import threading

from core import Config, probe_frame
from gui.canvas.probes import ProbeService

WIDE = Config(depth=4, width=256, batch=64, activation="tanh")
SMALL = Config(depth=2, width=16, batch=64, activation="tanh")


def test_a_newer_request_abandons_the_symmetry_run_in_progress(qtbot, monkeypatch):
    started = threading.Event()
    real = probe_frame.symmetry

    def symmetry(c, steps):
        started.set()
        return real(c, steps)

    monkeypatch.setattr(probe_frame, "symmetry", symmetry)
    service, answers = ProbeService(), []
    service.ready.connect(lambda key, result: answers.append((key, result.config)))
    service.start()
    try:
        service.request("view", WIDE, "symmetry", (5000,))  # 3 × 5000 steps of 256 × 256
        assert started.wait(10)
        service.request("view", SMALL, "symmetry", (10,))
        qtbot.waitUntil(lambda: len(answers) > 0, timeout=60000)
        qtbot.wait(200)
        assert answers == [("view", SMALL)]  # the wide run's answer never came
    finally:
        service.stop()


def test_another_view_s_request_does_not_abandon_it(qtbot):
    service, answers = ProbeService(), []
    service.ready.connect(lambda key, result: answers.append((key, result.config)))
    service.start()
    try:
        service.request("ladder", SMALL, "symmetry", (200,))
        service.request("other", SMALL.replace(seed=1), "symmetry", (10,))
        qtbot.waitUntil(lambda: len(answers) == 2, timeout=60000)
        assert sorted(k for k, _ in answers) == ["ladder", "other"]
    finally:
        service.stop()
