import numpy as np

from core import Config, run, units


def test_zero_and_constant_weights_make_one_unit_of_the_whole_layer():
    for c in (
        Config(depth=3, width=40, batch=50, init="zeros", activation="tanh"),
        Config(depth=3, width=40, batch=50, init="zeros", activation="sigmoid"),
        Config(depth=3, width=40, batch=50, init="constant", value=0.05, activation="tanh"),
    ):
        assert [s.distinct_units for s in run(c).layers] == [1, 1, 1], c.init


def test_a_tiny_random_draw_makes_every_unit_distinct():
    snap = run(Config(depth=3, width=40, batch=50, init="normal", std=0.01, activation="tanh"))
    assert [s.distinct_units for s in snap.layers] == [40, 40, 40]


def test_copies_are_counted_once_and_float_rounding_does_not_split_them():
    rng = np.random.default_rng(0)
    W = np.repeat(rng.standard_normal((30, 3)).astype(np.float32), [5, 10, 15], axis=1)
    x = rng.standard_normal((200, 30)).astype(np.float32)
    a = np.tanh(x @ W)  # BLAS may add copies' columns in different orders
    a[:, 7] *= np.float32(1 + 1e-7)  # a rounding's difference stays a copy
    assert units.distinct(W, a) == 3
    W2 = W.copy()
    W2[0, 0] += 1e-2  # one unit's weights changed beyond rounding: a fourth unit
    assert units.distinct(W2, np.tanh(x @ W2)) == 4


def test_equal_weights_with_different_activations_are_distinct_units():
    W = np.zeros((10, 6), np.float32)
    a = np.tile(np.arange(6, dtype=np.float32), (20, 1))  # e.g. a random bias per unit
    assert units.distinct(W, a) == 6


def test_nonfinite_units_are_compared_as_what_they_are():
    W = np.ones((4, 6), np.float32)
    a = np.ones((8, 6), np.float32)
    a[:, :2] = np.nan
    a[:, 2] = np.inf
    assert units.distinct(W, a) == 3  # NaN, +Inf, finite
    assert units.distinct(np.full((4, 6), np.inf, np.float32), a) == 3


def test_the_sample_is_the_layers_activations_units_as_rows():
    c = Config(depth=2, width=100, batch=80, init="he-normal", activation="relu")
    snap = run(c)
    from core.simulate import Simulator

    net = Simulator().prepare(c)
    for s, layer in zip(snap.layers, net.layers, strict=True):
        assert s.units_sample.shape == (units.SAMPLE_UNITS, units.SAMPLE_EXAMPLES)
        assert s.units_sample.dtype == np.float32
        np.testing.assert_array_equal(s.units_sample, layer.a[:64, :48].T)


def test_a_small_layer_gives_a_small_sample():
    snap = run(Config(depth=1, width=8, batch=5))
    assert snap.layers[0].units_sample.shape == (8, 5)
    assert snap.layers[0].distinct_units == 8


def _scene_layers(batch: int = 32, depth: int = 12, width: int = 128):
    """Every scene's layers (weights and activations), smaller (batch, depth, and width where
    it is one number): random, zero, constant, orthogonal, sparse and truncated draws, plain,
    residual and normalised nets."""
    from core import presets
    from core.inits import INITS
    from core.simulate import Simulator

    configs = [s.config for s in presets.all_scenes().values()]
    configs += [Config(depth=2, width=100, batch=batch, init=name) for name in INITS]
    for c in configs:
        small = c.replace(batch=min(c.batch, batch), depth=min(c.depth, depth))
        if isinstance(c.width, int):
            small = small.replace(width=min(c.width, width))
        net = Simulator().prepare(small)
        for layer in net.layers:
            yield c, layer.W, layer.rows()[1]


def test_the_probe_on_the_first_rows_counts_as_the_whole_of_w_on_every_scene():
    """distinct() tells a random draw's units apart on W's first PROBE_ROWS rows only; on every
    scene's layers, and every init's, it gives the count taken on the whole of W (and a)."""
    probed = 0
    for c, W, a in _scene_layers():
        assert units.distinct(W, a) == units.whole_count(W, a), (c.init, W.shape)
        probed += W.shape[0] > units.PROBE_ROWS
    assert probed > 150  # the probe's shortcut was taken on most layers


def test_units_alike_on_the_probed_rows_are_told_apart_by_the_rest():
    rng = np.random.default_rng(5)
    W = rng.standard_normal((100, 8)).astype(np.float32)
    W[: units.PROBE_ROWS] = W[: units.PROBE_ROWS, :1]  # every unit's first rows are unit 0's
    x = rng.standard_normal((50, 100)).astype(np.float32)
    assert units.distinct(W, np.tanh(x @ W)) == 8
    W[:, 5] = W[:, 0]  # a real copy, beyond the probed rows too
    assert units.distinct(W, np.tanh(x @ W)) == 7
