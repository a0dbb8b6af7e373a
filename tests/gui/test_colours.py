"""The data colours read on both themes, for normal vision and under deuteranopia (issue #18):
WCAG contrast ≥ 4.5:1 against the background, A and B of a comparison in different hues."""

import colorsys

import numpy as np
import pytest

from gui import theme

# Machado, Oliveira & Fernandes 2009, deuteranopia at severity 1.0, on linear RGB
MACHADO_DEUTAN = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
DATA = ("preact", "act", "grad", "wgrad", "a_side", "b_side")


def _linear(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def _luminance(lin: np.ndarray) -> float:
    return float(np.dot([0.2126, 0.7152, 0.0722], np.clip(lin, 0.0, 1.0)))


def contrast(a: np.ndarray, b: np.ndarray) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def deutan(lin: np.ndarray) -> np.ndarray:
    return MACHADO_DEUTAN @ lin


def _hue(lin: np.ndarray) -> float:
    return colorsys.rgb_to_hsv(*_srgb(lin))[0] * 360


def test_the_simulation_is_machados():
    """Pure red and green fall together, white and blue stay (the matrix's known behaviour)."""
    red, green = deutan(_linear("#FF0000")), deutan(_linear("#00FF00"))
    assert abs(_hue(red) - _hue(green)) < 15
    np.testing.assert_allclose(deutan(np.ones(3)), np.ones(3), atol=1e-3)


@pytest.mark.parametrize("name", ["light", "dark"])
@pytest.mark.parametrize("vision", ["normal", "deuteranopia"])
def test_data_colours_stand_out_from_the_background(name, vision):
    see = deutan if vision == "deuteranopia" else (lambda c: c)
    bg = see(_linear(theme.THEMES[name].background))
    palette = theme.PALETTES[name]
    low = {q: round(contrast(see(_linear(palette[q])), bg), 2) for q in DATA}
    assert min(low.values()) >= 4.5, low
    # the theory is a reference: neutral grey, readable, and no data colour
    r, g, b = _srgb(_linear(palette["theory"]))
    assert max(r, g, b) - min(r, g, b) < 0.02
    assert contrast(_linear(palette["theory"]), _linear(theme.THEMES[name].background)) >= 3


@pytest.mark.parametrize("name", ["light", "dark"])
@pytest.mark.parametrize("vision", ["normal", "deuteranopia"])
def test_a_and_b_differ_in_hue(name, vision):
    """A slate blue, B vermillion: across the blue–yellow axis a deuteranope keeps."""
    see = deutan if vision == "deuteranopia" else (lambda c: c)
    palette = theme.PALETTES[name]
    a, b = (_hue(see(_linear(palette[k]))) for k in ("a_side", "b_side"))
    gap = min(abs(a - b), 360 - abs(a - b))
    assert gap > 90, (a, b)


def test_applying_a_theme_recolours_every_importer(qapp):
    try:
        theme.apply(theme.THEMES["dark"])
        assert theme.QUANTITY_COLORS["act"] == theme.PALETTES["dark"]["act"]
        assert theme.SIDE_COLORS["B"] == theme.PALETTES["dark"]["b_side"]
    finally:
        theme.apply(theme.THEMES["light"])
    assert theme.QUANTITY_COLORS["act"] == theme.PALETTES["light"]["act"]
