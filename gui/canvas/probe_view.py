"""What the probe views share (issue #19): ask the probe worker for each side's config, draw the
answer when it comes, drop answers for configs no longer shown."""

from __future__ import annotations

import pyqtgraph as pg

from core import probe_frame
from gui.canvas import probes, reveal_mask, style
from gui.canvas.sizes import Sizes
from gui.presenter import ViewBase, ViewFrame


class ProbeView(pg.GraphicsLayoutWidget, ViewBase):
    """Subclasses name their KIND, build their items in `build()` and draw `results` in `draw()`."""

    KIND = ""
    needs = frozenset()

    def __init__(self, options: dict | None = None):
        super().__init__()
        self.options = dict(options or {})
        self.params = probe_frame.params_of(self.KIND, self.options)
        self.sizes = Sizes(720)
        self.results: dict[str, probe_frame.ProbeResult] = {}  # side → the answer shown
        self._asked: dict[str, object] = {}  # side → the config asked for
        self.build()
        self.set_sizes(self.sizes)
        probes.service().ready.connect(self._ready)

    def build(self) -> None:
        raise NotImplementedError

    def titled_plot(self, name: str) -> pg.PlotItem:
        """A title, a legend line for A and one for B, and the plot under them."""
        lay = self.ci
        self.header = style.title(lay, "", self.sizes, row=0)
        self.legends = {s: style.title(lay, "", self.sizes, row=r) for s, r in (("A", 1), ("B", 2))}
        for item in self.legends.values():
            item.report_role = "legend"
        return style.still(lay.addPlot(enableMenu=False, row=3, col=0), name)

    def draw(self) -> None:
        raise NotImplementedError

    def restyle(self) -> None:
        """Fonts and axes at self.sizes (called before draw on every resize)."""

    def set_sizes(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.ci.layout.setSpacing(sizes.gap)
        self.restyle()
        self.draw()

    def present(self, frame: ViewFrame) -> None:
        reveal_mask.appear(self, frame)  # the whole net's: once a staged reveal is complete
        sides = {"A": frame.a.config, "B": frame.b.config if frame.b is not None else None}
        for side, config in sides.items():
            if config is None:
                self._asked.pop(side, None)
                self.results.pop(side, None)
            elif self._asked.get(side) != config:
                self._asked[side] = config
                probes.service().request((id(self), side), config, self.KIND, self.params)
        self.draw()

    @property
    def pending(self) -> bool:
        """A side asked for has no answer yet."""
        return any(
            self.results.get(s) is None or self.results[s].config != c
            for s, c in self._asked.items()
        )

    def _ready(self, key, result) -> None:
        if not isinstance(key, tuple) or key[0] != id(self):
            return
        if self._asked.get(key[1]) == result.config:
            self.results[key[1]] = result
            self.draw()

    def value(self, side: str):
        r = self.results.get(side)
        return (
            r.value if r is not None and not r.error and r.config == self._asked.get(side) else None
        )
