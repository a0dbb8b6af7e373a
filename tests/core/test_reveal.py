"""The reveal's order: forward layers 1..L, then backward layers L..1 (issue 20)."""

import pytest

from core.reveal import Reveal


def test_staged_shows_nothing_and_complete_shows_everything():
    r = Reveal(depth=3)
    assert not any(
        r.shows(row, k) for row in ("act", "grad", "weights", "wgrad") for k in (1, 2, 3)
    )
    done = Reveal(depth=3, step=6)
    assert done.complete
    assert all(done.shows(row, k) for row in ("act", "grad", "weights", "wgrad") for k in (1, 2, 3))


def test_each_step_adds_exactly_one_layer_forward_then_backward():
    depth = 4
    shown_before = set()
    order = []
    r = Reveal(depth)
    while not r.complete:
        r = r.next()
        shown = {
            (row, k) for row in ("act", "grad") for k in range(1, depth + 1) if r.shows(row, k)
        }
        added = shown - shown_before
        assert len(added) == 1 and shown_before <= shown
        order.append(added.pop())
        shown_before = shown
        assert r.newest == ("forward" if order[-1][0] == "act" else "backward", order[-1][1])
    assert order == [("act", 1), ("act", 2), ("act", 3), ("act", 4),
                     ("grad", 4), ("grad", 3), ("grad", 2), ("grad", 1)]  # fmt: skip
    assert r.next() == r and Reveal(depth).previous() == Reveal(depth)


def test_out_of_range_steps_and_rows_are_refused():
    with pytest.raises(ValueError):
        Reveal(depth=2, step=5)
    with pytest.raises(ValueError):
        Reveal(depth=0)
    with pytest.raises(ValueError):
        Reveal(depth=2).shows("loss", 1)
