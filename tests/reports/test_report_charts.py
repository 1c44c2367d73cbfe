"""SVG charts: deterministic, scaled to their data, escaped; the document model refuses bad shapes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from zerocity.reports.charts import nice_ticks, scale_unit, svg_chart
from zerocity.reports.document import Chart, ChartKind, Column, Section, Table

NS = {"s": "http://www.w3.org/2000/svg"}


def test_bar_lengths_are_proportional_to_values():
    svg = svg_chart(Chart(ChartKind.BAR, "t", ["a", "b <&>"], {"": [50.0, 100.0]}), width=600)
    root = ET.fromstring(svg)  # well-formed, text escaped
    widths = [float(r.get("width")) for r in root.findall("s:rect", NS)]
    assert len(widths) == 2
    assert widths[0] == pytest.approx(widths[1] / 2, abs=0.1)
    assert "b &lt;&amp;&gt;" in svg


def test_negative_bar_is_drawn_left_of_zero_in_its_own_colour():
    root = ET.fromstring(svg_chart(Chart(ChartKind.BAR, "t", ["gain", "sink"], {"": [10.0, -10.0]})))
    gain, sink = root.findall("s:rect", NS)
    assert float(sink.get("x")) + float(sink.get("width")) == pytest.approx(float(gain.get("x")), abs=0.1)
    assert gain.get("fill") != sink.get("fill")


def test_line_chart_points_and_determinism():
    chart = Chart(ChartKind.LINE, "t", [2024, 2025, 2026], {"A": [0.0, 50.0, 100.0], "B": [100.0, 100.0, 100.0]})
    svg = svg_chart(chart)
    assert svg == svg_chart(chart)
    root = ET.fromstring(svg)
    lines = root.findall("s:polyline", NS)
    assert len(lines) == 2
    ys = [float(p.split(",")[1]) for p in lines[0].get("points").split()]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.2)  # linear data, equal steps
    flat = [float(p.split(",")[1]) for p in lines[1].get("points").split()]
    assert len(set(flat)) == 1 and flat[0] == pytest.approx(ys[2], abs=0.1)


def test_stacked_area_stacks():
    chart = Chart(ChartKind.STACKED_AREA, "t", [2024, 2025], {"A": [10.0, 10.0], "B": [10.0, 30.0]})
    polygons = ET.fromstring(svg_chart(chart)).findall("s:polygon", NS)
    assert len(polygons) == 2
    top_a = [float(p.split(",")[1]) for p in polygons[0].get("points").split()][:2]
    bottom_b = [float(p.split(",")[1]) for p in polygons[1].get("points").split()][2:]
    assert sorted(top_a) == pytest.approx(sorted(bottom_b))  # B sits on A


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 100, [0, 25, 50, 75, 100]),  # raw step 100/4 = 25: a nice step itself
        (0, 7, [0, 2, 4, 6, 8]),  # raw 1.75 -> 2; last tick above 7
        (-10, 35, [-20, 0, 20, 40]),  # raw 45/4 = 11.25 -> 20; first tick floor(-10/20) x 20
    ],
)
def test_nice_ticks(low, high, expected):
    assert nice_ticks(low, high) == expected


def test_scale_unit():
    assert scale_unit(79_662_401) == (1e6, "Mt CO2e")
    assert scale_unit(50_000) == (1e3, "kt CO2e")
    assert scale_unit(61.3) == (1.0, "tCO2e")


def test_document_shapes_are_checked():
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        Table([Column("a"), Column("b")], [["x"]])
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        Chart(ChartKind.LINE, "t", [1, 2, 3], {"A": [1.0, 2.0]})
    with pytest.raises(ValueError, match="sheet name"):
        Section("a/b", "t", [])
    assert re.fullmatch(r"[A-Za-z]+", Section("Summary", "t", []).key)
