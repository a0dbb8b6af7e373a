"""Training over time: it learns, it is reproducible, zeros stay symmetric, bad files say why."""

import dataclasses
import math

import numpy as np
import pytest

from core import Config, Simulator
from core.tasks import TASKS, DataError, load_file, make_task
from core.training import OPTIMIZERS, TrainConfig, Trainer

# task, hidden stack, optimizer settings, steps, train-loss reduction factor, test accuracy
LEARNS = [
    ("spirals", dict(depth=3, width=32, activation="tanh", init="xavier-normal"), ("adam", 0.01), 400, 4, 0.9),
    ("moons", dict(depth=2, width=16, activation="tanh", init="xavier-normal"), ("sgd", 0.1), 400, 5, 0.95),
    ("circles", dict(depth=2, width=16, activation="relu", init="he-normal"), ("adam", 0.01), 300, 20, 0.97),
    ("xor", dict(depth=2, width=16, activation="relu", init="he-normal"), ("momentum", 0.05), 300, 20, 0.97),
    ("gaussians", dict(depth=3, width=64, activation="tanh", init="xavier-normal"), ("adam", 0.003), 300, 20, 0.75),
    ("digits", dict(depth=2, width=(256, 64, 64), activation="relu", init="he-normal"), ("adam", 0.003), 300, 50, 0.9),
]  # fmt: skip


@pytest.mark.parametrize(("task", "net", "opt", "steps", "factor", "acc"), LEARNS)
def test_good_init_learns_each_task(task, net, opt, steps, factor, acc):
    tr = Trainer(Config(**net), TrainConfig(task=task, optimizer=opt[0], lr=opt[1], steps=steps))
    first = tr.snapshot().latest
    tr.step(steps)
    last = tr.snapshot().latest
    assert last.step == steps and tr.done
    assert first.train_loss / last.train_loss >= factor, (first.train_loss, last.train_loss)
    assert last.test_acc >= acc
    assert first.train_acc < acc  # the task is not solved at step 0


def test_registry_covers_every_task_and_input_widths():
    assert set(TASKS) == {"spirals", "moons", "circles", "xor", "gaussians", "digits"}
    for name, task in TASKS.items():
        d = make_task(name, width=7, n=200)
        assert d.width == (task.width or 7)
        assert d.n_classes == task.n_classes
        assert np.array_equal(np.unique(d.y_train), np.arange(task.n_classes))
        assert np.allclose(d.X_train.mean(axis=0), 0.0, atol=1e-9)
        assert np.allclose(d.X_train.std(axis=0), 1.0, atol=1e-9)
        assert "standardised" in d.note


def test_tasks_are_deterministic_for_a_seed():
    a, b, c = (make_task("digits", n=100, seed=s) for s in (3, 3, 4))
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_digit_classes_differ_more_than_their_samples():
    """The glyphs carry class structure: a class mean is nearer its own samples than others'."""
    d = make_task("digits", n=1000, seed=1)
    means = np.stack([d.X_train[d.y_train == k].mean(axis=0) for k in range(10)])
    dist = ((d.X_test[:, None, :] - means[None]) ** 2).sum(-1)
    assert np.mean(dist.argmin(axis=1) == d.y_test) > 0.6  # nearest-mean; chance is 0.1


def test_step_zero_weights_are_the_apps():
    c = Config(depth=3, width=20, activation="tanh", init="he-uniform", bias="default", seed=5)
    tr = Trainer(c, TrainConfig(task="gaussians"))
    app = Simulator().prepare(c)
    for mine, theirs in zip(tr.net.layers, app.layers, strict=True):
        assert np.array_equal(mine.W, theirs.W) and np.array_equal(mine.b, theirs.b)
    assert tr.head.W.shape == (20, TASKS["gaussians"].n_classes)


def _run(seed, steps=60):
    c = Config(depth=2, width=16, activation="tanh", init="xavier-normal", seed=seed)
    tr = Trainer(c, TrainConfig(task="moons", optimizer="adam", record_every=1))
    tr.step(steps)
    return tr.snapshot().history.series("batch_loss")[1:], [L.W.copy() for L in tr.layers]


def test_same_seed_same_run_bit_for_bit():
    (l1, w1), (l2, w2), (l3, w3) = _run(0), _run(0), _run(1)
    assert len(l1) == 60 and np.array_equal(l1, l2)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2, strict=True))
    assert not np.array_equal(l1, l3)
    assert not np.array_equal(w1[0], w3[0])


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_zero_init_never_breaks_symmetry(optimizer):
    """All units of a hidden layer get the same gradient, so they stay copies of each other."""
    c = Config(depth=3, width=8, activation="sigmoid", init="zeros", bias="zeros")
    tr = Trainer(c, TrainConfig(task="spirals", optimizer=optimizer, lr=0.05))
    tr.step(200)
    assert np.abs(tr.net.layers[-1].W).max() > 1e-5  # they did move …
    for L in tr.net.layers:
        assert np.abs(L.W).max() > 0.0
        assert np.array_equal(L.W, np.repeat(L.W[:, :1], L.W.shape[1], axis=1))  # … together
        assert np.array_equal(L.a, np.repeat(L.a[:, :1], L.a.shape[1], axis=1))
    assert np.array_equal(tr.head.W, np.repeat(tr.head.W[:1], 8, axis=0))
    # A random init on the same net does break it: the check above can fail.
    tr = Trainer(c.replace(init="xavier-normal"), TrainConfig(task="spirals", optimizer=optimizer))
    tr.step(5)
    assert np.ptp(tr.net.layers[1].W, axis=1).min() > 1e-3


def _hand_gradients(tr):
    """Softmax cross-entropy through one tanh layer, written out: the oracle for the ratio."""
    (L, head), X, y = tr.layers, tr.data.X_train, tr.data.y_train
    a = np.tanh(X @ L.W + L.b)
    z = a @ head.W + head.b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    G = p / len(y)
    return X.T @ ((G @ head.W.T) * (1.0 - a * a)), a.T @ G


def test_update_ratio_matches_a_hand_computation_for_sgd():
    c = Config(depth=1, width=(2, 6), activation="tanh", init="he-normal", dtype="float64")
    tc = TrainConfig(task="moons", optimizer="sgd", lr=0.3, n_samples=50, test_frac=0.2)
    tr = Trainer(c, tc.replace(batch=40, record_every=1))  # full batch: the gradient is known
    assert len(tr.data.X_train) == 40
    assert all(math.isnan(v) for v in tr.snapshot().latest.update_ratio)
    g1, g2 = _hand_gradients(tr)
    before = [L.W.copy() for L in tr.layers]
    rec = tr.step(1)
    for W0, g, L, ratio in zip(before, (g1, g2), tr.layers, rec.update_ratio, strict=True):
        np.testing.assert_allclose(L.W, W0 - 0.3 * g, rtol=1e-10, atol=1e-14)
        assert ratio == pytest.approx(math.log10(0.3 * g.std() / L.W.std()), abs=1e-9)
    assert -4.0 < rec.update_ratio[0] < 0.0


def test_adam_ratio_is_the_actual_update_not_lr_times_grad():
    c = Config(depth=1, width=(2, 6), activation="tanh", init="he-normal", dtype="float64")
    tr = Trainer(c, TrainConfig(task="moons", optimizer="adam", lr=0.01, record_every=1))
    W0 = tr.layers[0].W.copy()
    rec = tr.step(1)
    W1 = tr.layers[0].W
    assert rec.update_ratio[0] == pytest.approx(math.log10((W1 - W0).std() / W1.std()), abs=1e-9)
    # Adam's first step is ≈ −lr·sign(g): every weight moves by ≈ lr
    np.testing.assert_allclose(np.abs(W1 - W0), 0.01, rtol=1e-4)
    assert rec.grad_ratio[0] == pytest.approx(
        math.log10(tr.layers[0].dW.std() / W1.std()), abs=1e-9
    )


def test_exploding_lr_is_reported_not_raised():
    c = Config(depth=3, width=32, activation="relu", init="he-normal")
    tr = Trainer(c, TrainConfig(task="spirals", optimizer="sgd", lr=1e4, record_every=5))
    tr.step(50)
    rec = tr.snapshot().latest
    assert math.isnan(rec.batch_loss) and math.isnan(rec.train_loss)
    assert rec.nonfinite and rec.snapshot.nonfinite > 0
    assert rec.to_json()["train_loss"] is None
    assert np.isnan(tr.decision_grid(4).probs).all()


def test_a_fresh_run_has_not_blown_up():
    """Step 0 has no minibatch loss yet (NaN): not a blow-up, while a NaN after a step is."""
    c = Config(depth=3, width=32, activation="tanh", init="xavier-normal")
    tr = Trainer(c, TrainConfig(task="moons"))
    rec = tr.snapshot().latest
    assert rec.step == 0 and math.isnan(rec.batch_loss) and not rec.nonfinite
    tr.step(1)
    assert not tr.snapshot().latest.nonfinite


def test_history_is_a_bounded_ring_a_scrubber_can_read():
    c = Config(depth=2, width=16, activation="tanh", init="xavier-normal", bins=30)
    tr = Trainer(c, TrainConfig(task="xor", history=5, record_every=10))
    tr.step(100)
    h = tr.snapshot().history
    assert list(h.steps()) == [60, 70, 80, 90, 100]
    assert h.at(75).step == 70 and h.at(59) is None
    img = h.act_image(1)
    assert img.shape == (5, 30)
    lo = {(r.act_hists[1].lo, r.act_hists[1].hi) for r in h.records}
    assert len(lo) == 1  # one fixed range for the whole run
    assert h.ratios("update").shape == (5, 3)
    tiny = Trainer(c, TrainConfig(task="xor", history=1000, history_mib=0.001, record_every=1))
    tiny.step(20)
    assert len(tiny.snapshot().history.records) == 2  # memory bound wins over the count


def test_snapshots_are_immutable_and_independent_of_later_steps():
    tr = Trainer(Config(depth=2, width=8), TrainConfig(task="moons", record_every=1))
    s = tr.snapshot()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.latest.train_loss = 0.0
    tr.step(3)
    assert s.step == 0 and len(s.history.records) == 1
    assert len(tr.snapshot().history.records) == 4


def test_decision_grid_covers_the_data_and_sums_to_one():
    tr = Trainer(
        Config(depth=2, width=16, activation="relu", init="he-normal"), TrainConfig(task="circles")
    )
    tr.step(300)
    g = tr.decision_grid(41)
    assert g.probs.shape == (41, 41, 2)
    np.testing.assert_allclose(g.probs.sum(-1), 1.0, rtol=1e-5)
    assert g.probs[20, 20, tr.data.y_train[np.argmin((tr.data.X_train**2).sum(1))]] > 0.9  # centre
    assert g.xs[0] < tr.data.X_train[:, 0].min() and g.ys[-1] > tr.data.X_train[:, 1].max()
    with pytest.raises(ValueError, match="2-D"):
        Trainer(Config(depth=1, width=8), TrainConfig(task="gaussians")).decision_grid(4)


def test_retune_changes_the_lr_mid_run():
    tr = Trainer(Config(depth=2, width=8), TrainConfig(task="moons", optimizer="sgd"))
    tr.step(2)
    tr.retune(lr=0.0)
    W = tr.net.layers[0].W.copy()
    tr.step(3)
    assert np.array_equal(W, tr.net.layers[0].W)
    with pytest.raises(ValueError, match="batch"):
        tr.retune(batch=3)


def test_generated_data_respects_the_memory_limit():
    c = Config(depth=1, width=(20_000, 4), batch=10, memory_limit_gib=1.0)
    with pytest.raises(ValueError, match=r"memory: got '1.19 GiB of gaussians data'"):
        Trainer(c, TrainConfig(task="gaussians", n_samples=2000))


def test_bad_train_settings_name_the_field():
    with pytest.raises(ValueError, match="optimizer: got 'rmsprop'"):
        TrainConfig(optimizer="rmsprop")
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=-1.0)
    assert TrainConfig(optimizer="sgd").lr == OPTIMIZERS["sgd"].default_lr


# ---------------------------------------------------------------- user files
def _one_line_error(path, match, **kw):
    with pytest.raises(DataError, match=match) as e:
        load_file(path, **kw)
    assert "\n" not in str(e.value)


def test_good_files_load_standardised(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text("a,b,label\n1,10,3\n2,20,7\n3,30,3\n4,40,7\n5,50,3\n")
    d = load_file(p, test_frac=0.2)
    assert d.classes == (3, 7) and d.width == 2 and len(d.X_train) == 4
    np.testing.assert_allclose(d.X_train.std(axis=0), 1.0)
    q = tmp_path / "d.npz"
    np.savez(q, X=np.arange(20.0).reshape(10, 2), y=np.arange(10) % 2)
    tr = Trainer(Config(depth=1, width=4), TrainConfig(task="file"), data=load_file(q))
    assert tr.config.widths == (2, 4)


def test_missing_file(tmp_path):
    _one_line_error(tmp_path / "nope.csv", "no such file")


def test_absurd_size_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.csv"
    with p.open("wb") as f:
        f.truncate(2**31)  # sparse: 2 GiB long, nothing on disk
    _one_line_error(p, "over the 1024.0 MiB limit")
    q = tmp_path / "bomb.npz"
    np.savez_compressed(q, X=np.zeros((3000, 100)), y=np.zeros(3000))
    _one_line_error(q, "uncompressed data is 2.3 MiB, over the 1.0 MiB", max_bytes=2**20)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros(10), np.zeros(10), r"X must be 2-D .* shape \(10,\)"),
        (np.zeros((10, 2)), np.zeros(9), "one label per row of X"),
        (np.zeros((10, 2)), np.zeros((10, 1)), "y must be 1-D"),
        (np.array([["a", "b"]] * 10), np.arange(10) % 2, "X must be numeric"),
        (np.zeros((10, 2)), np.arange(10) % 2 + 0.5, "labels must be integers; label 1 is"),
        (np.zeros((10, 2)), np.array(["x", "y"] * 5), "labels must be integers"),
        (np.zeros((10, 2)), np.zeros(10), "1 distinct labels"),
    ],
)
def test_bad_npz_arrays(tmp_path, X, y, match):
    p = tmp_path / "bad.npz"
    np.savez(p, X=X, y=y)
    _one_line_error(p, match)


def test_nonfinite_values(tmp_path):
    X = np.zeros((10, 3))
    X[4, 2] = np.inf
    np.savez(tmp_path / "inf.npz", X=X, y=np.arange(10) % 2)
    _one_line_error(tmp_path / "inf.npz", r"1 NaN/Inf values \(first at row 5, column 3\)")
    (tmp_path / "nan.csv").write_text("1,2,0\nnan,3,1\n1,2,0\n3,4,1\n")
    _one_line_error(tmp_path / "nan.csv", "NaN/Inf")


def test_bad_csv(tmp_path):
    cases = {
        "text.csv": ("1,2,0\n3,abc,1\n", "line 2, column 2: 'abc' is not a number"),
        "ragged.csv": ("1,2,0\n3,4\n", "line 2: 2 columns, expected 3"),
        "label.csv": ("1,2,0\n3,4,1.5\n1,1,0\n2,2,1\n", "labels must be integers; label 2 is 1.5"),
        "empty.csv": ("x,y,label\n", "no data rows"),
        "onecol.csv": ("0\n1\n0\n1\n", "at least one feature column"),
    }
    for name, (text, match) in cases.items():
        (tmp_path / name).write_text(text)
        _one_line_error(tmp_path / name, match)
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00garbage")
    _one_line_error(tmp_path / "bin.csv", "not a readable UTF-8 CSV")


def test_bad_npz_containers(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    _one_line_error(tmp_path / "junk.npz", "not a readable .npz")
    np.savez(tmp_path / "keys.npz", data=np.zeros((4, 2)))
    _one_line_error(tmp_path / "keys.npz", "needs arrays X and y; found data")
    np.savez(tmp_path / "obj.npz", X=np.array([[1, "a"]] * 4, dtype=object), y=np.zeros(4))
    _one_line_error(tmp_path / "obj.npz", "numeric, not Python objects")
    (tmp_path / "d.txt").write_text("1,2,0\n")
    _one_line_error(tmp_path / "d.txt", "expected a .npz")


def held_in_a_step(tr: Trainer, monkeypatch):
    """tr.step() on a thread, held inside its first step (its matmuls) until `leave` is set."""
    import threading

    entered, leave = threading.Event(), threading.Event()
    real = tr._train_step

    def slow_step():
        entered.set()
        leave.wait(5)
        real()

    monkeypatch.setattr(tr, "_train_step", slow_step)
    stepping = threading.Thread(target=tr.step)
    stepping.start()
    assert entered.wait(5)
    return leave, stepping


def test_blas_thread_count_never_changes_under_a_training_step(monkeypatch):
    """OpenBLAS reallocates its threads' buffers when their count grows: a change under a
    training step's matmul (frames made on the engine's thread) segfaulted in CI. While a step
    runs, a frame keeps the count it has, at once (it waited for the lock before, and a symmetry
    probe's run held that for seconds); between steps the change is made, and an unchanged
    count is not set again."""

    from core import parallel
    from core.frame import FrameMaker

    made, calls = FrameMaker(), []

    class Controller:
        def limit(self, limits, user_api):
            calls.append(limits)

    made._blas = Controller()
    monkeypatch.setattr(parallel.BLAS, "count", 2)  # the process's count, as a change leaves it
    tr = Trainer(Config(depth=2, width=16, batch=32))
    leave, stepping = held_in_a_step(tr, monkeypatch)
    made._set_blas(1)  # returns at once, the step still in its matmuls
    assert calls == [] and parallel.BLAS.in_use and made._blas_threads == 2
    leave.set()
    stepping.join(5)
    assert not parallel.BLAS.in_use
    made._set_blas(1)
    assert calls == [1] and parallel.BLAS.count == 1
    other = FrameMaker()  # another maker of this process knows the count the first one set
    other._blas = Controller()
    other._set_blas(1)
    made._set_blas(1)
    assert calls == [1] and other._blas_threads == 1  # the same count: not set again


def test_two_trainers_step_side_by_side(monkeypatch):
    """The window's training and a symmetry probe's run share OpenBLAS: neither waits for the
    other's steps (one lock held them apart, and the probe's run held it for seconds)."""
    import threading

    a, b = (Trainer(Config(depth=2, width=16, batch=32)) for _ in range(2))
    leave, stepping = held_in_a_step(a, monkeypatch)
    other = threading.Thread(target=b.step, args=(3,))
    other.start()
    other.join(5)
    done = not other.is_alive()
    leave.set()
    stepping.join(5)
    assert done and b.step_count == 3 and a.step_count == 1
