"""The compute process's loop (core/serve.py), run here on pipes: what it answers is what the
engine's own thread would have made, refusals and bugs come back as messages, EOF ends it."""

import os
import pickle
import struct
import threading
import time

import numpy as np
import pytest

from core import Config, ConfigError, memory
from core.frame import FrameMaker
from core.memory import QUIET_S
from core.serve import CancelPipe, answer, main, receive, serve

SMALL = Config(depth=3, width=32, batch=64, activation="tanh", init="xavier-normal")
ROWS = ("act", "grad")


def assert_same_frame(a, b):
    assert a.blas_threads == b.blas_threads
    for sa, sb in zip(a.snaps, b.snaps, strict=True):
        assert sa.config == sb.config
        for la, lb in zip(sa.layers, sb.layers, strict=True):
            assert (la.act_std, la.grad_std, la.weight_grad_std) == (
                lb.act_std,
                lb.grad_std,
                lb.weight_grad_std,
            )
            for row in ROWS:
                np.testing.assert_array_equal(la.hists[row].counts, lb.hists[row].counts)
    assert a.theory.config == b.theory.config
    assert a.theory.curves.keys() == b.theory.curves.keys()
    for k, (x, y) in a.theory.curves.items():
        np.testing.assert_array_equal(x, b.theory.curves[k][0])
        np.testing.assert_array_equal(y, b.theory.curves[k][1])


@pytest.fixture
def server():
    """serve() on a thread, with the two pipes the window's process would hold."""
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    inp, out = os.fdopen(req_r, "rb"), os.fdopen(res_w, "wb")
    t = threading.Thread(target=serve, args=(inp, out), daemon=True)
    t.start()
    to, back = os.fdopen(req_w, "wb"), os.fdopen(res_r, "rb")

    def ask(request):
        pickle.dump(request, to)
        to.flush()
        return receive(back)

    assert receive(back)[0] == "ready"
    yield ask, to, t
    to.close()
    t.join(10)
    for f in (back, inp, out):
        f.close()


def test_the_server_answers_what_the_engine_thread_makes(server):
    ask, _, _ = server
    for c in (SMALL, SMALL.replace(gain=2.0), SMALL.replace(activation="relu", init="he-normal")):
        kind, got = ask(([c], ROWS, 1, False))
        assert kind == "frame"
        assert_same_frame(got, FrameMaker().make([c], ROWS, 1, False))
    b = SMALL.replace(init="normal", std=0.01)
    kind, pair = ask(([SMALL, b], ROWS, 1, False))  # an A/B pair, on common ranges
    assert kind == "frame" and [s.config for s in pair.snaps] == [SMALL, b]
    assert_same_frame(pair, FrameMaker().make([SMALL, b], ROWS, 1, False))


def test_the_server_trims_its_heap_once_quiet_after_a_frame_and_not_while_asked(
    server, monkeypatch
):
    """memory.QuietTrim: idle QUIET_S after its answer, the heap's free pages go back."""
    trims: list[float] = []

    def give_back():  # (a new net's build gives back too, on the serving thread)
        if threading.current_thread().name == "quiet-trim":
            trims.append(time.monotonic())

    monkeypatch.setattr(memory, "give_back", give_back)
    ask, _, _ = server
    time.sleep(2 * QUIET_S)  # the trim after "ready"
    for _ in range(3):
        asked = time.monotonic()
        assert ask(([SMALL], ROWS, 1, False))[0] == "frame"
        answered = time.monotonic()
        assert not [t for t in trims if t > asked]  # none while it computed
        deadline = answered + 5
        while not [t for t in trims if t > answered] and time.monotonic() < deadline:
            time.sleep(0.01)
        after = [t for t in trims if t > answered]
        assert len(after) == 1 and after[0] - answered >= 0.9 * QUIET_S


def test_end_of_file_or_none_ends_the_server(server):
    ask, to, t = server
    assert ask(([SMALL], ROWS, 1, False))[0] == "frame"
    pickle.dump(None, to)
    to.flush()
    t.join(10)
    assert not t.is_alive()


class Raising:
    def __init__(self, error):
        self.error = error

    def make(self, *request, cancelled=None):
        raise self.error


def test_refusals_and_bugs_come_back_as_messages():
    assert answer(Raising(ConfigError("depth", 0, "an integer")), ())[0] == "refused"
    assert answer(Raising(MemoryError("too big")), ()) == ("refused", "too big")
    kind, message, trace = answer(FrameMaker(), ([SMALL], ("no-such-row",), 1, False))
    assert kind == "bug" and message.startswith("KeyError") and "Traceback" in trace


def test_bad_arguments_are_one_line_and_exit_2(capsys):
    assert main(["x", "y"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "READ_FD WRITE_FD" in err


def test_a_cancel_number_abandons_that_request_and_never_a_later_one():
    """The window writes the number of the request to abandon; the server checks between layers.
    A number meant for an earlier request (it finished before the byte was read) stops nothing."""
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    cancel_r, cancel_w = os.pipe()
    os.set_blocking(cancel_r, False)
    inp, out = os.fdopen(req_r, "rb"), os.fdopen(res_w, "wb")
    t = threading.Thread(target=serve, args=(inp, out, cancel_r), daemon=True)
    t.start()
    to, back = os.fdopen(req_w, "wb"), os.fdopen(res_r, "rb")

    def ask(number):
        pickle.dump(([SMALL], ROWS, 1, False, number), to)
        to.flush()
        return receive(back)

    try:
        assert receive(back)[0] == "ready"
        os.write(cancel_w, struct.pack("<q", 1))
        assert ask(1) == ("cancelled",)
        assert ask(2)[0] == "frame"  # 1's number is still the highest asked: 2 runs
        os.write(cancel_w, struct.pack("<q", 3))
        assert ask(3) == ("cancelled",)
        assert ask(4)[0] == "frame"
        pickle.dump(([SMALL], ROWS, 1, False), to)  # a request without a number: not cancellable
        to.flush()
        assert receive(back)[0] == "frame"
    finally:
        to.close()
        t.join(10)
        for f in (back, inp, out):
            f.close()
        for fd in (cancel_r, cancel_w):
            os.close(fd)


def test_the_cancel_pipe_reads_numbers_that_arrive_in_pieces():
    r, w = os.pipe()
    os.set_blocking(r, False)
    try:
        pipe = CancelPipe(r)
        assert not pipe.asked(1)
        os.write(w, struct.pack("<q", 7)[:5])
        assert not pipe.asked(7)
        os.write(w, struct.pack("<q", 7)[5:] + struct.pack("<q", 2))
        assert pipe.asked(7) and pipe.asked(3) and not pipe.asked(8)
    finally:
        os.close(r)
        os.close(w)


def test_a_frame_crosses_the_pipe_with_the_same_numbers():
    """Histograms are pickled with their arrays in one buffer (core/wire.py): the frame that
    arrives is the one made, every count the same and writable, with or without a log axis."""
    import numpy as np

    from core import Config, stats
    from core.frame import FrameMaker

    frame = FrameMaker().make([Config(depth=3, width=16, batch=8)], ("act", "grad"), 1, False)
    got = pickle.loads(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    for a, b in zip(frame.snaps[0].layers, got.snaps[0].layers, strict=True):
        assert a.to_json() == b.to_json()
        for r, h in a.hists.items():
            g = b.hists[r]
            for x, y in ((h.counts, g.counts), (h.log.pos, g.log.pos), (h.log.neg, g.log.neg)):
                np.testing.assert_array_equal(x, y)
                assert y.dtype == np.int64 and y.flags.writeable
            assert (g.lo, g.hi, g.underflow, g.overflow, g.sampled) == (
                h.lo,
                h.hi,
                h.underflow,
                h.overflow,
                h.sampled,
            )
            assert (g.log.first, g.log.zeros, g.log.sampled) == (
                h.log.first,
                h.log.zeros,
                h.log.sampled,
            )
    plain = stats.Hist(0.0, 1.0, np.arange(4, dtype=np.int32), 1, 2, 9)  # not int64: as it is
    back = pickle.loads(pickle.dumps(plain))
    assert back.counts.dtype == np.int32 and back.log is None
    np.testing.assert_array_equal(back.counts, plain.counts)
    bare = stats.Hist(0.0, 1.0, np.arange(4, dtype=np.int64), 0, 0, 6)  # no log axis
    assert pickle.loads(pickle.dumps(bare)).log is None


def test_a_message_crosses_as_its_length_and_its_pickle_and_a_broken_one_is_refused():
    """A message bigger than a default pipe (64 kB) arrives whole from a reader that takes it in
    pieces; a pipe that ends inside a message is EOFError, and a length no message has is
    refused before anything that size is allocated."""
    import io

    from core.serve import LENGTH, MAX_MESSAGE, send

    message = ("frame", np.arange(100_000, dtype=np.float32), "é" * 1000)
    r, w = os.pipe()
    out = os.fdopen(w, "wb")
    writer = threading.Thread(target=send, args=(out, message))
    writer.start()
    with os.fdopen(r, "rb", buffering=0) as inp:  # the window's reader: unbuffered
        got = receive(inp)
        writer.join(10)
        out.close()
        with pytest.raises(EOFError):
            receive(inp)  # the pipe has ended: nothing more comes
    assert got[0] == "frame" and got[2] == message[2]
    np.testing.assert_array_equal(got[1], message[1])

    whole = io.BytesIO()
    send(whole, ("ready", 7))
    data = whole.getvalue()
    assert LENGTH.unpack(data[: LENGTH.size])[0] == len(data) - LENGTH.size
    assert receive(io.BytesIO(data)) == ("ready", 7)
    with pytest.raises(EOFError):
        receive(io.BytesIO(data[:-1]))
    with pytest.raises(pickle.UnpicklingError):
        receive(io.BytesIO(LENGTH.pack(MAX_MESSAGE + 1) + data))
