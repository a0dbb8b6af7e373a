"""InitScope's numerical core: pure NumPy, no Qt.

from core import Config, run
snap = run(Config(depth=10, width=500, activation="tanh", init="xavier-normal"))
"""

from core.config import Config, ConfigError
from core.simulate import Simulator, run
from core.stats import Snapshot

__all__ = ["Config", "ConfigError", "Simulator", "Snapshot", "run"]
