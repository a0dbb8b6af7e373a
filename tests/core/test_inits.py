"""Every scheme's sample variance against its formula (init-theory.md §1), on non-square shapes."""

import math

import numpy as np
import pytest

from core import Config
from core.inits import INITS, TRUNC_STD
from core.noise import NoiseBank

FAN_IN, FAN_OUT = 300, 700


def draw(c: Config, fan_in=FAN_IN, fan_out=FAN_OUT, layer=0):
    out = np.empty((fan_in, fan_out), np.float64)
    return INITS[c.init].sample(NoiseBank(c.seed, np.float64), layer, fan_in, fan_out, c, out)


def cfg(**kw):
    return Config(depth=1, width=10, dtype="float64", **kw)


# (config, expected Var(w)) with n = fan_in = 300, m = fan_out = 700
CASES = [
    (dict(init="normal", std=0.05), 0.05**2),
    (dict(init="normal", std=0.05, truncation="tf"), (0.05 * TRUNC_STD) ** 2),
    (dict(init="truncated-normal", std=0.1), (0.1 * TRUNC_STD) ** 2),
    (dict(init="truncated-normal", std=0.1, truncation="keras"), 0.1**2),
    (dict(init="uniform", limit=0.2), 0.2**2 / 3),
    (dict(init="xavier-normal"), 2 / (FAN_IN + FAN_OUT)),
    (dict(init="xavier-uniform"), 2 / (FAN_IN + FAN_OUT)),
    (dict(init="xavier-normal", gain=5 / 3), (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT)),
    (dict(init="he-normal"), 2 / FAN_IN),
    (dict(init="he-uniform"), 2 / FAN_IN),
    (dict(init="he-normal", mode="fan_out"), 2 / FAN_OUT),
    (dict(init="he-normal", mode="fan_avg"), 2 / ((FAN_IN + FAN_OUT) / 2)),
    (dict(init="he-normal", truncation="keras"), 2 / FAN_IN),
    (dict(init="he-normal", truncation="tf"), 2 / FAN_IN * TRUNC_STD**2),
    (dict(init="lecun-normal"), 1 / FAN_IN),
    (dict(init="lecun-uniform"), 1 / FAN_IN),
    (dict(init="lecun-uniform", mode="fan_out"), 1 / FAN_OUT),
    (
        dict(init="sparse", std=0.01, sparsity=0.3),
        0.01**2 * (1 - math.ceil(0.3 * FAN_OUT) / FAN_OUT),
    ),
    (dict(init="pytorch-default"), 1 / (3 * FAN_IN)),
    (dict(init="orthogonal", gain=2.0), 4.0 / FAN_OUT),  # wide: rows of W^T orthonormal
]


@pytest.mark.parametrize(
    "kw,var", CASES, ids=[f"{k['init']}-{i}" for i, (k, _) in enumerate(CASES)]
)
def test_sample_variance_matches_formula(kw, var):
    c = cfg(**kw)
    w = draw(c)
    assert w.mean() == pytest.approx(0.0, abs=4 * math.sqrt(var / w.size) + 1e-12)
    assert w.var() == pytest.approx(var, rel=0.02)
    # the effective σ_w² = fan_in·Var(w) the app shows is the same formula
    assert INITS[c.init].sigma_w2(FAN_IN, FAN_OUT, c) == pytest.approx(FAN_IN * var, rel=1e-9)


def test_truncated_normal_has_no_value_beyond_two_sigma():
    w = draw(cfg(init="truncated-normal", std=0.1))
    assert np.abs(w).max() <= 0.2
    wk = draw(cfg(init="truncated-normal", std=0.1, truncation="keras"))
    assert np.abs(wk).max() <= 0.2 / TRUNC_STD + 1e-12
    plain = draw(cfg(init="normal", std=0.1))
    assert np.abs(plain).max() > 0.4  # 210k untruncated draws reach beyond 4σ


@pytest.mark.parametrize("shape", [(300, 700), (700, 300), (400, 400)])
def test_orthogonal_is_orthogonal(shape):
    w = draw(cfg(init="orthogonal"), *shape)
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)


def test_uniform_bounds():
    w = draw(cfg(init="xavier-uniform"))
    bound = math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound


def test_sparse_zero_count_per_input_unit():
    w = draw(cfg(init="sparse", sparsity=0.3))
    zeros = (w == 0).sum(axis=1)
    assert (zeros == math.ceil(0.3 * FAN_OUT)).all()


def test_constant_and_zeros():
    assert (draw(cfg(init="zeros")) == 0).all()
    assert (draw(cfg(init="constant", value=0.25)) == 0.25).all()


def test_same_seed_same_weights_other_seed_other_weights():
    a = draw(cfg(init="he-normal", seed=3))
    assert np.array_equal(a, draw(cfg(init="he-normal", seed=3)))
    assert not np.array_equal(a, draw(cfg(init="he-normal", seed=4)))
    assert not np.array_equal(a, draw(cfg(init="he-normal", seed=3), layer=1))


def test_scale_sweep_rescales_the_same_noise():
    """Animating σ shows the effect of the scale: the drawn pattern stays."""
    a = draw(cfg(init="normal", std=0.01))
    b = draw(cfg(init="normal", std=0.03))
    np.testing.assert_allclose(b, 3 * a, rtol=1e-12)


def test_every_scheme_names_source_and_formula():
    for init in INITS.values():
        assert init.formula and init.source
