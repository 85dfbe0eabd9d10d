"""The map figure: one WebGL trace of every gene (coloured by an array), plus two small overlay
traces for the selected gene and its neighbours. Colouring and highlighting are computed here
and sent as :class:`dash.Patch` updates of those arrays only."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from pipeline.annotate import CLASSES

# Okabe-Ito (colour-blind safe) for the small classes; the large protein-coding class muted
CLASS_COLOURS = {
    "protein-coding": "#a9bccb",
    "lncRNA": "#6a3d9a",
    "LOC non-coding": "#E69F00",
    "microRNA": "#D55E00",
    "snoRNA": "#CC79A7",
    "uncharacterised ORF": "#009E73",
    "pseudogene": "#0072B2",
    "other ncRNA": "#56B4E9",
    "other": "#8c8c8c",
}
NO_DATA = "#dcdcdc"
Z_SCALE = "RdBu_r"
Z_BINS = 41               # colours are quantised so the patch is short repeated strings
MAP, LIST, PATHWAY, NEIGHBOURS, SELECTED = 0, 1, 2, 3, 4     # overlays drawn in this order, the gene on top
OPACITY, FADED = 0.8, 0.08


def class_colours(genes: pd.DataFrame) -> list[str]:
    return genes["display_class"].astype(str).map(CLASS_COLOURS).fillna(CLASS_COLOURS["other"]).tolist()


def z_colours(z: pd.Series, limit: float) -> list[str]:
    """Diverging colours for z-scores clipped to +-``limit``; genes without data in light grey."""
    palette = sample_colorscale(Z_SCALE, list(np.linspace(0, 1, Z_BINS)), colortype="rgb")
    palette = ["#%02x%02x%02x" % tuple(int(float(c)) for c in p[4:-1].split(",")) for p in palette]
    values = z.to_numpy(dtype=np.float64)
    bins = np.clip(np.round((values + limit) / (2 * limit) * (Z_BINS - 1)), 0, Z_BINS - 1)
    return [NO_DATA if np.isnan(v) else palette[int(b)] for v, b in zip(values, bins)]


def class_legend(genes: pd.DataFrame) -> list[tuple[str, str, int]]:
    counts = genes["display_class"].astype(str).value_counts()
    return [(c, CLASS_COLOURS[c], int(counts.get(c, 0))) for c in CLASSES if counts.get(c, 0)]


def hover_text(genes: pd.DataFrame) -> list[str]:
    desc = genes["description"].fillna("").astype(str).str.slice(0, 60)
    return (genes["symbol"].astype(str) + " · " + genes["display_class"].astype(str) + "<br>" + desc).tolist()


def map_figure(genes: pd.DataFrame, colours: list[str]) -> go.Figure:
    x = genes["x"].to_numpy(dtype=np.float32)
    y = genes["y"].to_numpy(dtype=np.float32)
    fig = go.Figure([
        go.Scattergl(x=x, y=y, mode="markers", name="genes", hovertext=hover_text(genes), hoverinfo="text",
                     customdata=genes["symbol"].astype(str).tolist(),
                     marker={"color": colours, "size": 4, "opacity": OPACITY},
                     unselected={"marker": {"opacity": 0.3}}),
        go.Scattergl(x=[], y=[], mode="markers", name="gene list", hoverinfo="text", hovertext=[],
                     marker={"size": 6, "color": "#1d2733", "line": {"width": 0}}),
        go.Scattergl(x=[], y=[], mode="markers", name="gene set", hoverinfo="text", hovertext=[],
                     marker={"size": 9, "symbol": "diamond-open", "color": "#d62728", "line": {"width": 2}}),
        go.Scattergl(x=[], y=[], mode="markers", name="neighbours", hoverinfo="text", hovertext=[],
                     marker={"size": 9, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#111"}}),
        go.Scattergl(x=[], y=[], mode="markers+text", name="selected", hoverinfo="text", hovertext=[],
                     text=[], textposition="top center", textfont={"size": 14, "color": "#000"},
                     marker={"size": 16, "symbol": "star", "color": "#ffd400",
                             "line": {"width": 1.5, "color": "#000"}}),
    ])
    xr, yr = whole_map(genes)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False, dragmode="pan",
                      plot_bgcolor="#ffffff", paper_bgcolor="#ffffff", uirevision="map",
                      xaxis={"visible": False, "range": xr, "autorange": False},
                      yaxis={"visible": False, "scaleanchor": "x", "range": yr, "autorange": False},
                      hoverlabel={"bgcolor": "#fff", "font": {"size": 12}})
    return fig


def whole_map(genes: pd.DataFrame, pad: float = 0.03) -> tuple[list[float], list[float]]:
    """Axis ranges that show every gene: the view a shared link's Reset and "Whole map" return to."""
    x, y = genes["x"].to_numpy(dtype=np.float64), genes["y"].to_numpy(dtype=np.float64)
    if not len(x):
        return [0.0, 1.0], [0.0, 1.0]
    px, py = max(np.ptp(x), 1e-9) * pad, max(np.ptp(y), 1e-9) * pad
    return [float(x.min() - px), float(x.max() + px)], [float(y.min() - py), float(y.max() + py)]


def set_ranges(patch, ranges: tuple[list[float], list[float]]) -> None:
    """Move the view, whatever zoom or autoscale state the user left the axes in."""
    for axis, r in zip(("xaxis", "yaxis"), ranges):
        patch["layout"][axis]["range"] = r
        patch["layout"][axis]["autorange"] = False


def overlay(patch, trace: int, genes: pd.DataFrame, rows, hover: list[str] | None = None) -> None:
    """Put the genes ``rows`` on overlay ``trace`` (empty ``rows`` clears it)."""
    rows = np.asarray(rows, dtype=np.int64)
    symbols = genes["symbol"].to_numpy(dtype=object)[rows].tolist()
    patch["data"][trace].update(x=genes["x"].to_numpy()[rows].tolist(), y=genes["y"].to_numpy()[rows].tolist(),
                                customdata=symbols, hovertext=hover if hover is not None else symbols)


def show_support(patch, genes: pd.DataFrame, low: np.ndarray, mode: str) -> None:
    """Low-support genes (rows ``low``) shown like the others, faded, or hidden: a hidden gene has no
    position, so it is neither drawn, hovered, clicked nor selected (its overlays stay)."""
    xs = genes["x"].to_numpy(dtype=np.float64).round(4).astype(object)
    ys = genes["y"].to_numpy(dtype=np.float64).round(4).astype(object)
    if mode == "hide":
        xs[low] = ys[low] = None
    opacity: float | list[float] = OPACITY
    if mode == "fade":
        faded = np.full(len(genes), OPACITY)
        faded[low] = FADED
        opacity = faded.tolist()
    patch["data"][MAP]["x"], patch["data"][MAP]["y"] = xs.tolist(), ys.tolist()
    patch["data"][MAP]["marker"]["opacity"] = opacity


def view_around(genes: pd.DataFrame, rows: np.ndarray, pad: float = 0.25) -> tuple[list[float], list[float]]:
    """Axis ranges that frame the given genes (with a floor so one gene is not a pin-prick)."""
    x = genes["x"].to_numpy()[rows]
    y = genes["y"].to_numpy()[rows]
    span_all = float(max(np.ptp(genes["x"]), np.ptp(genes["y"])))
    half = max(float(max(np.ptp(x), np.ptp(y))) * (0.5 + pad), span_all * 0.12)
    cx, cy = float((x.max() + x.min()) / 2), float((y.max() + y.min()) / 2)
    return [cx - half, cx + half], [cy - half, cy + half]
