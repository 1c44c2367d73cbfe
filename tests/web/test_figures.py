"""Chart builders: the figures carry exactly the numbers given, arranged as documented."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zerocity.web import figures


def test_sankey_nodes_balance() -> None:
    flows = pd.DataFrame(
        [
            {"carrier": "coal", "sector": "I", "scope": 1, "tco2e": 100.0},
            {"carrier": "electricity", "sector": "I", "scope": 2, "tco2e": 50.0},
            {"carrier": "electricity", "sector": "II", "scope": 2, "tco2e": 30.0},
            {"carrier": "diesel", "sector": "II", "scope": 1, "tco2e": 20.0},
            {"carrier": "diesel", "sector": "II", "scope": 1, "tco2e": 0.0},  # dropped: no flow
        ]
    )
    fig = figures.energy_sankey(flows, title="t", carrier_labels={"coal": "Coal"}, sector_labels={})
    s = fig.data[0]
    labels = list(s.node.label)
    # carriers (sorted), sectors, scopes
    assert labels == ["Coal", "diesel", "electricity", "I", "II", "Scope 1", "Scope 2"]
    src, dst, val = np.array(s.link.source), np.array(s.link.target), np.array(s.link.value)
    inflow = {i: val[dst == i].sum() for i in range(len(labels))}
    outflow = {i: val[src == i].sum() for i in range(len(labels))}
    # each sector node: in = out (I: 150, II: 50); scope nodes: 1 -> 120, 2 -> 80
    assert inflow[3] == outflow[3] == 150.0
    assert inflow[4] == outflow[4] == 50.0
    assert inflow[5] == 120.0 and inflow[6] == 80.0


def test_macc_bars_span_cumulative_abatement() -> None:
    m = pd.DataFrame({"measure": ["b", "a", "c"], "abatement": [10.0, 5.0, 20.0], "cost": [50.0, -20.0, 300.0]})
    bar = figures.macc_curve(m, title="t", x_title="x", y_title="y").data[0]
    # sorted by cost: a (5 wide, centre 2.5), b (10, centre 10), c (20, centre 25)
    assert list(bar.text) == ["a", "b", "c"]
    assert list(bar.x) == [2.5, 10.0, 25.0]
    assert list(bar.width) == [5.0, 10.0, 20.0]


def test_waterfall_and_histogram() -> None:
    eff = pd.DataFrame({"factor": ["population", "intensity"], "effect": [30.0, -50.0]})
    w = figures.lmdi_waterfall(eff, 100.0, 80.0, title="t", start_label="2015", end_label="2024").data[0]
    assert list(w.y) == [100.0, 30.0, -50.0, 80.0]
    assert list(w.measure) == ["absolute", "relative", "relative", "total"]
    h = figures.peak_histogram([(2028, 0.5), (2029, 0.25)], title="t", x_title="x", y_title="y").data[0]
    assert list(h.x) == [2028, 2029] and list(h.y) == [0.5, 0.25]


def test_district_shapes_and_errors() -> None:
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "A"},
                "geometry": {"type": "Polygon", "coordinates": [[[0, 30], [1, 30], [1, 31], [0, 30]]]},
            }
        ],
    }
    fig = figures.district_shapes(
        gj, pd.DataFrame({"district": ["A"], "value": [4.0]}), title="t", value_title="", colours={"A": "#ef6c00"}
    )
    (trace,) = [t for t in fig.data if getattr(t, "fill", None) == "toself"]
    # the district's own ring, closed, with its code for click handlers and the given colour
    assert list(trace.x)[:4] == [0, 1, 1, 0] and trace.fillcolor == "#ef6c00"
    assert set(trace.customdata) == {"A"}
    # no geo trace: nothing for plotly.js to fetch from its CDN
    assert not any(t.type in {"choropleth", "scattergeo"} for t in fig.data)
    with pytest.raises(ValueError, match="quota"):
        figures.quota_gauge(1.0, 0.0, None, title="t")
