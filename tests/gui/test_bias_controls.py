"""The bias controls: the value box is live for the biases that read it (constant, normal)."""

from core.config import BIAS_VALUED, BIASES
from tests.gui.conftest import wait_shown


def test_the_bias_value_box_is_enabled_exactly_for_the_biases_that_read_it(make_window, qtbot):
    win = make_window()
    dock = win.init_dock
    for name in BIASES:
        dock.bias.setCurrentText(name)
        assert win.config.bias == name
        assert dock.bias_value.isEnabled() == (name in BIAS_VALUED)
    dock.bias.setCurrentText("normal")
    dock.bias_value.setValue(0.2)
    assert (win.config.bias, win.config.bias_value) == ("normal", 0.2)
    wait_shown(qtbot, win, win.config, timeout=30000)
