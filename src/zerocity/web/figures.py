"""Chart builders of the dashboard: tidy tables in, plotly figures out.

Every function takes plain tables (columns documented per function) and already translated labels,
and returns a :class:`plotly.graph_objects.Figure`; pages embed ``figure.to_plotly_json()`` and draw
it with the plotly.js shipped inside the ``plotly`` Python package (no CDN). Builders do no domain
computation: they only arrange numbers the domain modules produced, so a chart shows exactly the
numbers of the tables beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "GRADE_COLOURS",
    "add_point",
    "district_shapes",
    "energy_sankey",
    "grouped_bars",
    "lmdi_waterfall",
    "macc_curve",
    "pareto_front",
    "pathway_lines",
    "peak_histogram",
    "quota_gauge",
    "stacked_bars",
    "trend_against_target",
    "wedges",
]

#: Colours of the five carbon-code grades (accounts/data/carbon_code.yaml: dark green, green,
#: yellow, orange, red). Hex values are zerocity's choice, picked for contrast on white.
GRADE_COLOURS: dict[int, str] = {1: "#1b5e20", 2: "#43a047", 3: "#f9a825", 4: "#ef6c00", 5: "#c62828"}

_LAYOUT: dict[str, Any] = {
    "margin": {"l": 48, "r": 16, "t": 48, "b": 40},
    "font": {"family": "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif", "size": 13},
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
}


def _figure(data: Sequence[Any], title: str, **layout: Any) -> go.Figure:
    fig = go.Figure(data=list(data))
    fig.update_layout(title={"text": title}, **_LAYOUT, **layout)
    return fig


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def stacked_bars(frame: pd.DataFrame, x: str, stack: str, value: str, *, title: str, y_title: str) -> go.Figure:
    """Stacked bars: one bar per ``x`` value, one segment per ``stack`` value (e.g. sector x scope).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long table with columns ``x``, ``stack`` and ``value``; duplicates are summed.
    """
    _require(frame, (x, stack, value), "stacked_bars")
    table = frame.groupby([x, stack], sort=True)[value].sum().unstack(stack, fill_value=0.0)
    bars = [go.Bar(name=str(s), x=[str(i) for i in table.index], y=table[s].to_numpy()) for s in table.columns]
    return _figure(bars, title, barmode="stack", yaxis={"title": {"text": y_title}})


def energy_sankey(
    flows: pd.DataFrame,
    *,
    title: str,
    carrier_labels: Mapping[str, str],
    sector_labels: Mapping[str, str],
    scope_labels: Mapping[int, str] | None = None,
) -> go.Figure:
    """Sankey of energy carriers -> sectors -> scopes, in tCO2e.

    Parameters
    ----------
    flows : pandas.DataFrame
        Columns ``carrier``, ``sector``, ``scope`` (1 or 2) and ``tco2e``: the emissions of a carrier
        used in a sector. Links carrier -> sector carry the sum over scopes; links sector -> scope the
        sum over carriers, so every node balances.
    carrier_labels, sector_labels : mapping
        Display names (translated) of carrier and sector codes; codes are shown when missing.
    scope_labels : mapping, optional
        Display names of scopes 1 and 2 (default ``Scope 1``, ``Scope 2``).
    """
    _require(flows, ("carrier", "sector", "scope", "tco2e"), "energy_sankey")
    flows = flows[flows["tco2e"] > 0]
    carriers = sorted(flows["carrier"].astype(str).unique())
    sectors = sorted(flows["sector"].astype(str).unique())
    scopes = sorted(int(s) for s in flows["scope"].unique())
    labels = [carrier_labels.get(c, c) for c in carriers] + [sector_labels.get(s, s) for s in sectors]
    labels += [(scope_labels or {}).get(s, f"Scope {s}") for s in scopes]
    index = {("c", c): i for i, c in enumerate(carriers)}
    index.update({("s", s): len(carriers) + i for i, s in enumerate(sectors)})
    index.update({("p", p): len(carriers) + len(sectors) + i for i, p in enumerate(scopes)})
    cs = flows.groupby(["carrier", "sector"], sort=True)["tco2e"].sum()
    sp = flows.groupby(["sector", "scope"], sort=True)["tco2e"].sum()
    source = [index[("c", str(c))] for c, _ in cs.index] + [index[("s", str(s))] for s, _ in sp.index]
    target = [index[("s", str(s))] for _, s in cs.index] + [index[("p", int(p))] for _, p in sp.index]
    value = np.concatenate([cs.to_numpy(), sp.to_numpy()])
    trace = go.Sankey(
        node={"label": labels, "pad": 12, "thickness": 14},
        link={"source": source, "target": target, "value": value},
        valueformat=",.0f",
        valuesuffix=" tCO2e",
    )
    return _figure([trace], title)


def trend_against_target(
    actual: pd.DataFrame, target: pd.DataFrame | None, *, title: str, y_title: str, actual_name: str, target_name: str
) -> go.Figure:
    """Emissions by year beside the target path; both tables have ``year`` and ``value``."""
    _require(actual, ("year", "value"), "trend_against_target")
    lines = [go.Scatter(x=actual["year"], y=actual["value"], mode="lines+markers", name=actual_name)]
    if target is not None and len(target):
        _require(target, ("year", "value"), "trend_against_target target")
        lines.append(
            go.Scatter(x=target["year"], y=target["value"], mode="lines", name=target_name, line={"dash": "dash"})
        )
    return _figure(lines, title, yaxis={"title": {"text": y_title}})


def lmdi_waterfall(
    effects: pd.DataFrame, start: float, end: float, *, title: str, start_label: str, end_label: str
) -> go.Figure:
    """LMDI additive decomposition as a waterfall: start level, one bar per effect, end level.

    ``effects`` has ``factor`` (translated name) and ``effect`` (same unit as start/end). The
    effects of an additive LMDI sum to ``end - start`` exactly; the chart shows what it is given.
    """
    _require(effects, ("factor", "effect"), "lmdi_waterfall")
    x = [start_label, *effects["factor"].astype(str), end_label]
    y = [start, *effects["effect"].to_numpy(dtype=float), end]
    measure = ["absolute", *(["relative"] * len(effects)), "total"]
    trace = go.Waterfall(
        x=x,
        y=y,
        measure=measure,
        texttemplate="%{delta:,.0f}",
        decreasing={"marker": {"color": GRADE_COLOURS[2]}},
        increasing={"marker": {"color": GRADE_COLOURS[5]}},
    )
    return _figure([trace], title)


def peak_histogram(shares: Sequence[tuple[int, float]], *, title: str, x_title: str, y_title: str) -> go.Figure:
    """Distribution of Monte Carlo peak years: ``(year, share of runs)`` pairs (``PeakSummary.peak_year_shares``)."""
    years = [int(y) for y, _ in shares]
    values = [float(v) for _, v in shares]
    trace = go.Bar(x=years, y=values, hovertemplate="%{x}: %{y:.1%}<extra></extra>")
    return _figure(
        [trace],
        title,
        xaxis={"title": {"text": x_title}, "dtick": 1},
        yaxis={"title": {"text": y_title}, "tickformat": ".0%"},
    )


def pathway_lines(paths: pd.DataFrame, *, title: str, y_title: str) -> go.Figure:
    """One line per scenario: ``scenario``, ``year``, ``value``; optional ``low``/``high`` give a band."""
    _require(paths, ("scenario", "year", "value"), "pathway_lines")
    traces: list[Any] = []
    for name, g in paths.groupby("scenario", sort=False):
        g = g.sort_values("year")
        if {"low", "high"} <= set(g.columns):
            traces.append(
                go.Scatter(
                    x=list(g["year"]) + list(g["year"][::-1]),
                    y=list(g["high"]) + list(g["low"][::-1]),
                    fill="toself",
                    opacity=0.2,
                    line={"width": 0},
                    showlegend=False,
                    hoverinfo="skip",
                    name=str(name),
                )
            )
        traces.append(go.Scatter(x=g["year"], y=g["value"], mode="lines", name=str(name)))
    return _figure(traces, title, yaxis={"title": {"text": y_title}})


def wedges(frame: pd.DataFrame, *, title: str, y_title: str) -> go.Figure:
    """Stabilisation wedges as stacked areas: ``measure``, ``year``, ``reduction`` (>= 0)."""
    _require(frame, ("measure", "year", "reduction"), "wedges")
    traces = [
        go.Scatter(
            x=g.sort_values("year")["year"],
            y=g.sort_values("year")["reduction"],
            stackgroup="w",
            mode="lines",
            name=str(m),
        )
        for m, g in frame.groupby("measure", sort=False)
    ]
    return _figure(traces, title, yaxis={"title": {"text": y_title}})


def macc_curve(measures: pd.DataFrame, *, title: str, x_title: str, y_title: str) -> go.Figure:
    """Marginal abatement cost curve: bars as wide as the abatement, as high as the cost.

    ``measures`` has ``measure``, ``abatement`` (> 0, e.g. tCO2e/yr) and ``cost`` (per tCO2e);
    bars are sorted by cost and placed side by side (bar ``i`` spans the cumulative abatement).
    """
    _require(measures, ("measure", "abatement", "cost"), "macc_curve")
    m = measures.sort_values("cost", kind="stable")
    widths = m["abatement"].to_numpy(dtype=float)
    left = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    colours = [GRADE_COLOURS[2] if c < 0 else GRADE_COLOURS[4] for c in m["cost"]]
    trace = go.Bar(
        x=left + widths / 2,
        y=m["cost"],
        width=widths,
        text=m["measure"],
        marker={"color": colours},
        hovertemplate="%{text}<br>%{y:,.0f}<extra></extra>",
    )
    return _figure([trace], title, xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": y_title}}, bargap=0)


def pareto_front(
    points: pd.DataFrame, x: str, y: str, *, title: str, x_title: str, y_title: str, chosen: int | None = None
) -> go.Figure:
    """Pareto front of two objectives (e.g. cost and emissions); ``chosen`` highlights one row."""
    _require(points, (x, y), "pareto_front")
    p = points.sort_values(x)
    traces: list[Any] = [go.Scatter(x=p[x], y=p[y], mode="lines+markers", name=title)]
    if chosen is not None:
        row = points.iloc[chosen]
        traces.append(
            go.Scatter(x=[row[x]], y=[row[y]], mode="markers", marker={"size": 14, "symbol": "star"}, showlegend=False)
        )
    return _figure(traces, title, xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": y_title}})


def quota_gauge(used: float, quota: float, projected: float | None, *, title: str) -> go.Figure:
    """Quota gauge: emissions so far against the quota, with the projection as the threshold line."""
    if quota <= 0:
        raise ValueError(f"quota must be > 0, got {quota}")
    indicator = go.Indicator(
        mode="gauge+number+delta",
        value=used,
        delta={
            "reference": quota,
            "increasing": {"color": GRADE_COLOURS[5]},
            "decreasing": {"color": GRADE_COLOURS[2]},
        },
        gauge={
            "axis": {"range": [0, max(quota, used, projected or 0.0) * 1.1]},
            "steps": [{"range": [0, quota], "color": "#e8f5e9"}],
            "threshold": {"line": {"color": GRADE_COLOURS[5], "width": 3}, "value": projected or quota},
        },
    )
    return _figure([indicator], title)


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"][0]]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    raise ValueError(f"district_shapes: unsupported geometry type {kind!r} (Polygon or MultiPolygon)")


def district_shapes(
    geojson: Mapping[str, Any],
    values: pd.DataFrame,
    *,
    title: str,
    value_title: str,
    id_property: str = "code",
    colorscale: str = "YlOrRd",
    colours: Mapping[str, str] | None = None,
    hover_format: str = ",.0f",
    hover_text: Mapping[str, str] | None = None,
) -> go.Figure:
    """District map drawn as filled polygons on plain axes: needs no base map and no topojson.

    plotly's geo traces (``go.Choropleth``) download a world topojson from the plotly CDN whenever
    a trace uses ``locationmode``; the dashboard must work with no internet, so it draws the
    districts' own rings instead (one filled ``Scatter`` per district, ``customdata`` = district
    code for click handlers), with the y axis scaled by 1/cos(latitude) so shapes keep their form.

    Parameters
    ----------
    geojson : mapping
        FeatureCollection in WGS 84 [degrees] with ``properties[id_property]`` per feature.
    values : pandas.DataFrame
        ``district``, ``value`` and optionally ``name``.
    colorscale : str
        plotly colour scale of continuous values.
    colours : mapping, optional
        District -> fill colour (overrides the scale; e.g. the five grade colours).
    hover_format : str
        d3 format of the value in the hover text.
    hover_text : mapping, optional
        District -> text shown under its name on hover instead of the value (already formatted).
    """
    from plotly.colors import sample_colorscale

    _require(values, ("district", "value"), "district_shapes")
    table = values.assign(district=values["district"].astype(str)).set_index("district")
    v = table["value"].to_numpy(dtype=float)
    finite = v[np.isfinite(v)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = hi - lo if hi > lo else 1.0
    traces: list[Any] = []
    lats: list[float] = []
    for feature in geojson.get("features", []):
        code = str(feature["properties"][id_property])
        if code not in table.index:
            continue
        value = float(table.at[code, "value"])
        name = str(table.at[code, "name"]) if "name" in table.columns else code
        if colours is not None and code in colours:
            fill = colours[code]
        elif np.isfinite(value):
            fill = sample_colorscale(colorscale, [(value - lo) / span])[0]
        else:
            fill = "#dddddd"
        for ring in _rings(feature["geometry"]):
            xs = [float(p[0]) for p in ring]
            ys = [float(p[1]) for p in ring]
            lats.extend(ys)
            traces.append(
                go.Scatter(
                    x=xs,
                    y=ys,
                    fill="toself",
                    fillcolor=fill,
                    mode="lines",
                    line={"color": "#333333", "width": 1},
                    name=name,
                    customdata=[code] * len(xs),
                    text=[name] * len(xs),
                    hovertemplate="%{text}<br>"
                    + (
                        _escape(hover_text[code])
                        if hover_text is not None and code in hover_text
                        else _format_hover(value, hover_format)
                    )
                    + "<extra></extra>",
                    hoveron="fills+points",
                    showlegend=False,
                )
            )
    if colours is None and finite.size:
        traces.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "colorscale": colorscale,
                    "cmin": lo,
                    "cmax": hi,
                    "color": [lo],
                    "showscale": True,
                    "colorbar": {"title": {"text": value_title}},
                },
                hoverinfo="skip",
                showlegend=False,
            )
        )
    mid_lat = float(np.mean(lats)) if lats else 0.0
    return _figure(
        traces,
        title,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1.0 / max(np.cos(np.radians(mid_lat)), 0.1)},
        hovermode="closest",
    )


def _escape(text: str) -> str:
    """Text for a plotly hover template: no ``%{`` (a placeholder) and no ``<`` (a tag) left in it."""
    return text.replace("%{", "% {").replace("<", "&lt;")


def add_point(fig: go.Figure, *, lon: float, lat: float, name: str) -> go.Figure:
    """Mark one point [deg] on a :func:`district_shapes` map (the last trace; scripts may move it)."""
    fig.add_trace(
        go.Scatter(
            x=[lon],
            y=[lat],
            mode="markers",
            marker={"size": 14, "symbol": "x", "color": "#1a56db", "line": {"width": 2, "color": "#ffffff"}},
            name=name,
            hovertemplate=name + "<br>%{y:.4f}, %{x:.4f}<extra></extra>",
            showlegend=False,
        )
    )
    return fig


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    series: Mapping[str, str],
    *,
    title: str,
    y_title: str,
    hover_format: str = ",.0f",
    colours: Sequence[str] | None = None,
) -> go.Figure:
    """Bars side by side: one group per row of ``frame`` (labelled by column ``x``), one bar per series.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per group, with column ``x`` and every column named in ``series``.
    series : mapping
        Column -> legend label (already translated), in the order of the bars.
    colours : sequence of str, optional
        One colour per series (plotly's default colours otherwise).
    """
    _require(frame, (x, *series), "grouped_bars")
    labels = [str(v) for v in frame[x]]
    bars = [
        go.Bar(
            name=label,
            x=labels,
            y=frame[column].to_numpy(dtype=float),
            hovertemplate="%{x}<br>" + _escape(label) + ": %{y:" + hover_format + "}<extra></extra>",
            marker={"color": colours[i]} if colours is not None and i < len(colours) else None,
        )
        for i, (column, label) in enumerate(series.items())
    ]
    return _figure(
        bars,
        title,
        barmode="group",
        yaxis={"title": {"text": y_title}},
        xaxis={"automargin": True, "tickangle": -30},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "bottom"},
    )


def _format_hover(value: float, fmt: str) -> str:
    """A value for a hover label (``fmt`` is ``,.0f`` or ``,.2f``); empty for NaN."""
    if not np.isfinite(value):
        return ""
    decimals = int(fmt.rstrip("f").split(".")[-1]) if "." in fmt else 0
    return f"{value:,.{decimals}f}"
