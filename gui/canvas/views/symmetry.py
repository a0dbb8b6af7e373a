"""Symmetry under training, seen (issue #20): why random, not zero or constant?

The scene's net is trained three times, from zeros, from a constant and from a tiny random draw
(core/probe_frame.py SYMMETRY_INITS), and each hidden layer's distinct units are counted at every
record: the copies stay copies (1 of 64, forever), the random draw keeps all 64. The accuracy
beside them shows what that costs: a net of one unit a layer learns like a net of width one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from core.probe_frame import SYMMETRY_INITS
from gui import theme
from gui.canvas import style
from gui.canvas.probe_view import ProbeView

# the copies muted (grey, and a muted blue), the fix bold (the B side's vermillion)
COLORS = dict(
    zip([label for label, _ in SYMMETRY_INITS], ("#8C8C8C", "#5A7FA6", theme.WARN), strict=True)
)


class SymmetryView(ProbeView):
    KIND = "symmetry"

    def build(self) -> None:
        lay = self.ci
        self.header = style.title(lay, "", self.sizes, row=0, col=0, span=2)
        self.legend = style.title(lay, "", self.sizes, row=1, col=0, span=2)
        self.legend.report_role = "legend"
        self.units = style.still(
            lay.addPlot(enableMenu=False, row=2, col=0), "distinct units over training"
        )
        self.acc = style.still(lay.addPlot(enableMenu=False, row=2, col=1), "training accuracy")
        self.unit_curves = {k: self.units.plot() for k in COLORS}
        self.acc_curves = {k: self.acc.plot() for k in COLORS}

    def restyle(self) -> None:
        style.style_axes(self.units, self.sizes, "training step", "distinct units (fewest layer)")
        style.style_axes(self.acc, self.sizes, "training step", "accuracy on XOR")

    def draw(self) -> None:
        s, value = self.sizes, self.value("A")
        if value is None:
            for curve in (*self.unit_curves.values(), *self.acc_curves.values()):
                curve.setData([], [])
            r = self.results.get("A")
            style.set_title(
                self.header, r.error if r is not None and r.error else "training three nets…", s
            )
            style.set_title(self.legend, "", s)
            return
        # each layer's units (a funnel's widths differ: `width` is then a tuple, and the range
        # below raised TypeError in a random-actions run, seed 4)
        widths = self.results["A"].config.widths[1:]
        parts = []
        for i, (label, history) in enumerate(value.items()):
            steps, distinct = history.steps(), history.distinct()
            fewest = distinct.min(axis=1)
            width = widths[int(distinct[-1].argmin())]  # the units of the layer with fewest
            bold = label == SYMMETRY_INITS[-1][0]
            # zeros and the constant both stay at 1 unit: the first drawn dashed and on top of
            # a wider second, so neither hides the other (the grey line was lost under the blue)
            first = i == 0
            pen = style.pen(COLORS[label], s, scale=2.0 if bold else (1.2 if first else 2.4))
            if first:
                pen.setStyle(Qt.PenStyle.DashLine)
            self.unit_curves[label].setZValue(2 if first else 1)
            self.unit_curves[label].setData(steps, fewest, pen=pen)
            acc = history.series("train_acc")
            self.acc_curves[label].setData(steps, 100 * acc, pen=pen)
            parts.append(
                f"<span style='color:{COLORS[label]}'>■ {label}: {fewest[-1]} of {width} units, "
                f"{100 * acc[-1]:.0f}% right</span>"
            )
        top = max(widths)
        self.units.setYRange(-0.04 * top, top * 1.05, padding=0)  # 1 unit off the axis line
        self.acc.setYRange(40, 101, padding=0)
        style.set_title(
            self.header,
            "the same net trained on XOR from three inits: its units, and what they learn",
            s,
        )
        self.legend.setText("&nbsp;&nbsp;&nbsp;".join(parts), size=f"{s.px('legend')}px")
