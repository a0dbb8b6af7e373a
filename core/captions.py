"""A scene's title, claim and details as the canvas shows them for a frame (issue #18)."""

from __future__ import annotations

from core.presets import Scene
from core.stats import Snapshot


def live(scene: Scene, a: Snapshot, b: Snapshot | None) -> tuple[str, str, str]:
    return scene.title, scene.claim or scene.caption, scene.details
