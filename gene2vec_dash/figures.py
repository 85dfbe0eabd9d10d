"""The map figure: one WebGL trace of every gene, plus small overlay traces (a gene list, a gene set,
a gene's neighbours, its predicted partners and the pair, the gene itself).

Colours travel as a uint8 bin per gene over a discrete colour scale (gene class, or a tissue's
z-score bin): a byte a gene, recoloured in the browser (``panels.map.RECOLOUR_JS``) from bins sent
once per atlas. Overlays are :class:`dash.Patch` updates of their own small traces."""
from __future__ import annotations

import base64

import numpy as np
import pandas as pd
from plotly.colors import sample_colorscale

from pipeline.annotate import CLASS_COLOURS

CLASS_NAMES = list(CLASS_COLOURS)
NO_DATA = "#dcdcdc"
Z_SCALE = "RdBu_r"
Z_BINS = 41               # z-scores quantised to 41 colours; bin Z_BINS is "no score"
Z_PALETTE = ["#%02x%02x%02x" % tuple(int(float(c)) for c in p[4:-1].split(","))
             for p in sample_colorscale(Z_SCALE, list(np.linspace(0, 1, Z_BINS)), colortype="rgb")] + [NO_DATA]
# overlays drawn in this order, the gene on top
MAP, LIST, PATHWAY, NEIGHBOURS, PARTNERS, PAIR, SELECTED = range(7)
OPACITY, FADED = 0.8, 0.08


def class_bins(genes: pd.DataFrame) -> np.ndarray:
    """Each gene's class as its index in :data:`CLASS_NAMES` (unknown classes: "other")."""
    codes = pd.Categorical(genes["display_class"].astype(str), categories=CLASS_NAMES).codes
    return np.where(codes < 0, CLASS_NAMES.index("other"), codes).astype(np.uint8)


def z_bins(z: np.ndarray, limit: float) -> np.ndarray:
    """Diverging bins for z-scores clipped to +-``limit`` (axis 0: genes); no score: bin Z_BINS."""
    values = np.asarray(z, dtype=np.float64)
    bins = np.clip(np.round((values + limit) / (2 * limit) * (Z_BINS - 1)), 0, Z_BINS - 1)
    return np.where(np.isnan(values), Z_BINS, bins).astype(np.uint8)


def colour_scale(palette: list[str]) -> dict:
    """Marker settings that draw bin k in ``palette[k]``: each colour a stop at k/(n-1), and the bins
    spanning cmin 0 to cmax n-1, so an integer bin lands exactly on its stop."""
    n = len(palette)
    return {"colorscale": [[k / (n - 1), c] for k, c in enumerate(palette)], "cmin": 0, "cmax": n - 1,
            "showscale": False}


def packed(bins: np.ndarray) -> str:
    """uint8 bins as base64 (the browser decodes them once into a Uint8Array)."""
    return typed(bins, "uint8")["bdata"]


def class_colours(genes: pd.DataFrame) -> dict:
    """What the browser needs to colour the map by gene class."""
    return {"bins": packed(class_bins(genes)), "names": CLASS_NAMES, **colour_scale(list(CLASS_COLOURS.values()))}


def atlas_colours(z: np.ndarray, tissues: list[str], limit: float) -> dict:
    """An atlas' colours for the browser: every tissue's bins (``z``: genes x tissues), tissue after
    tissue, so one tissue is one contiguous slice."""
    return {"tissues": list(tissues), "bins": packed(z_bins(z, limit).T), **colour_scale(Z_PALETTE)}


def class_legend(genes: pd.DataFrame) -> list[tuple[str, str, int]]:
    counts = genes["display_class"].astype(str).value_counts()
    return [(c, CLASS_COLOURS[c], int(counts.get(c, 0))) for c in CLASS_NAMES if counts.get(c, 0)]


def hover_text(genes: pd.DataFrame) -> list[str]:
    """The second line of a gene's hover label (its symbol and class are built in the browser from
    what the figure already holds): the description, shortened."""
    return genes["description"].fillna("").astype(str).str.slice(0, 60).tolist()


def typed(values: np.ndarray, dtype: str) -> dict:
    """An array as plotly.js reads it without parsing numbers: base64 of its bytes and their type."""
    array = np.ascontiguousarray(values, dtype=np.dtype(dtype))
    return {"dtype": {"float32": "f4", "uint8": "u1"}[array.dtype.name],
            "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def map_figure(genes: pd.DataFrame) -> dict:
    """The map as the page first draws it: positions, symbols and class colours only (about 20 bytes a
    gene); descriptions for the hover label follow once the map is drawn. A plain dict in plotly's
    JSON form: validating 25k points through plotly's classes took half a second of every start."""
    def overlay(name: str, marker: dict, **extra) -> dict:
        return {"type": "scattergl", "x": [], "y": [], "name": name, "hoverinfo": "text", "hovertext": [],
                "marker": marker, "mode": "markers", **extra}

    xr, yr = whole_map(genes)
    return {"data": [
        {"type": "scattergl", "x": typed(genes["x"].to_numpy(), "float32"),
         "y": typed(genes["y"].to_numpy(), "float32"), "mode": "markers", "name": "genes",
         "customdata": genes["symbol"].astype(str).tolist(),
         "hovertemplate": "<b>%{customdata}</b><extra></extra>",
         "marker": {"color": typed(class_bins(genes), "uint8"), **colour_scale(list(CLASS_COLOURS.values())),
                    "size": 4, "opacity": OPACITY},
         "unselected": {"marker": {"opacity": 0.3}}},
        overlay("gene list", {"size": 6, "color": "#1d2733", "line": {"width": 0}}),
        overlay("gene set", {"size": 9, "symbol": "diamond-open", "color": "#d62728", "line": {"width": 2}}),
        overlay("neighbours", {"size": 9, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#111"}}),
        overlay("partners", {"size": 10, "symbol": "circle-open", "color": "#7b2cbf", "line": {"width": 2.5}},
                visible=False),
        overlay("pair", {"size": 15, "symbol": "diamond", "color": "#7b2cbf", "line": {"width": 1.5, "color": "#fff"}},
                visible=False, mode="markers+text", text=[], textposition="bottom center",
                textfont={"size": 13, "color": "#4a148c"}),
        overlay("selected", {"size": 16, "symbol": "star", "color": "#ffd400", "line": {"width": 1.5, "color": "#000"}},
                mode="markers+text", text=[], textposition="top center", textfont={"size": 14, "color": "#000"}),
    ], "layout": {
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False, "dragmode": "pan",
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff", "uirevision": "map",
        "xaxis": {"visible": False, "range": xr, "autorange": False},
        "yaxis": {"visible": False, "scaleanchor": "x", "range": yr, "autorange": False},
        "hoverlabel": {"bgcolor": "#fff", "font": {"size": 12}}}}


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


def show_pairs(patch, pairs: bool) -> None:
    """The Partners tab's overlays (partners, the labelled pair) instead of the Gene tab's (neighbours,
    the starred gene's label), or back (``panels.partners.OVERLAYS_JS`` does the same in the browser)."""
    patch["data"][NEIGHBOURS]["visible"] = not pairs
    patch["data"][PARTNERS]["visible"] = pairs
    patch["data"][PAIR]["visible"] = pairs
    patch["data"][SELECTED]["mode"] = "markers" if pairs else "markers+text"


def apart(genes: pd.DataFrame, rows: list[int]) -> list[str]:
    """Label positions that keep two genes' names apart: the upper one's above it, the lower one's below."""
    if len(rows) < 2:
        return ["top center"] * len(rows)
    y = genes["y"].to_numpy()[rows]
    return ["top center" if value >= y.max() else "bottom center" for value in y]


def clear_selection(patch) -> None:
    """Remove a box or lasso selection from the map: its outline and the dimming of the rest."""
    patch["layout"]["selections"] = []
    patch["data"][MAP]["selectedpoints"] = None


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
