import pytest

from core import Config, ConfigError, memory


def test_defaults_and_widths():
    c = Config()
    assert c.widths == (500,) * 11 and c.activations == ("tanh",) * 10
    f = Config(depth=4, width=[784, 512, 256, 128, 10])
    assert f.widths == (784, 512, 256, 128, 10)
    assert Config().replace(width=[3, 4, 5]).depth == 2


@pytest.mark.parametrize(
    "kw,field",
    [
        (dict(depth=0), "depth"),
        (dict(depth=2.5), "depth"),
        (dict(width=-3), "width"),
        (dict(depth=3, width=[10, 10]), "width"),
        (dict(batch=True), "batch"),
        (dict(activation="swish"), "activation"),
        (dict(depth=2, activation=["tanh"]), "activation"),
        (dict(init="glorot"), "init"),
        (dict(std=float("nan")), "std"),
        (dict(std=-1.0), "std"),
        (dict(gain=float("inf")), "gain"),
        (dict(mode="fan_sum"), "mode"),
        (dict(truncation="hard"), "truncation"),
        (dict(sparsity=1.5), "sparsity"),
        (dict(input="images"), "input"),
        (dict(dtype="float16"), "dtype"),
        (dict(bins=1), "bins"),
    ],
)
def test_bad_values_name_the_field_the_value_and_what_is_allowed(kw, field):
    with pytest.raises(ConfigError) as e:
        Config(**kw)
    assert e.value.field == field
    msg = str(e.value)
    assert msg.startswith(field) and "allowed" in msg and "\n" not in msg


def test_absurd_memory_is_refused_before_allocating(monkeypatch):
    with pytest.raises(ConfigError, match=r"memory: got '\d+\.\d\d GiB'"):
        Config(depth=500, width=20000, batch=100000)
    monkeypatch.setattr(memory, "physical_bytes", lambda: 64 * 2**30)  # 29 GiB fit in 64
    assert Config(depth=100, width=5000, batch=10, memory_limit_gib=40).depth == 100


def test_toml_round_trip(tmp_path):
    c = Config(
        depth=4,
        width=[784, 512, 256, 128, 10],
        activation="relu",
        init="he-normal",
        gain=1.5,
        mode="fan_out",
        seed=7,
    )
    p = tmp_path / "c.toml"
    c.save(p)
    assert Config.load(p) == c


def test_toml_errors(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("depth = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="valid TOML"):
        Config.load(bad)
    bad.write_text("depht = 3", encoding="utf-8")
    with pytest.raises(ConfigError, match="depht"):
        Config.load(bad)
    bad.write_text('depth = "ten"', encoding="utf-8")
    with pytest.raises(ConfigError, match="depth"):
        Config.load(bad)
    with pytest.raises(ConfigError, match="readable"):
        Config.load(tmp_path / "missing.toml")
