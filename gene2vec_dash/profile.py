"""A gene's tissue profile for its card: its specificity z-score in every tissue of one atlas,
highest first, drawn as small horizontal bars (as ARCHS4's and GTEx's gene pages show expression)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gene2vec_dash.figures import Z_PALETTE, z_bins
from gene2vec_dash.queries import AtlasView, MapData
from pipeline.bundle import tissue_column

SHOWN = 12                # bars on the card; the rest are said in the title


def tissue_profile(data: MapData, symbol: str, atlas: AtlasView) -> pd.DataFrame:
    """(tissue, z) for every tissue the atlas scores this gene in, highest z first; empty when the
    atlas has no expression for the gene."""
    row = data.genes.iloc[data.row[symbol]]
    z = np.array([row.get(tissue_column(atlas.key, t), np.nan) for t in atlas.tissues], dtype=np.float64)
    keep = ~np.isnan(z)
    found = pd.DataFrame({"tissue": np.asarray(atlas.tissues, dtype=object)[keep], "z": z[keep]})
    return found.sort_values("z", ascending=False, kind="stable").reset_index(drop=True)


def profile_figure(profile: pd.DataFrame, atlas: AtlasView, symbol: str) -> dict:
    """Plotly JSON: the top :data:`SHOWN` tissues as bars coloured as the map colours that tissue."""
    top = profile.head(SHOWN).iloc[::-1]                   # plotly draws the first bar at the bottom
    colours = [Z_PALETTE[b] for b in z_bins(top["z"].to_numpy(), atlas.z_limit)]
    more = f", top {SHOWN} of {len(profile)}" if len(profile) > SHOWN else ""
    return {
        "data": [{"type": "bar", "orientation": "h", "x": top["z"].round(2).tolist(), "y": top["tissue"].tolist(),
                  "marker": {"color": colours}, "hovertemplate": "%{y}: z %{x:.2f}<extra></extra>"}],
        "layout": {"title": {"text": f"{symbol} in {atlas.name}<br><span style='font-size:11px'>specificity z-score "
                                     f"of {atlas.unit}{more}</span>", "font": {"size": 12}, "x": 0, "xanchor": "left"},
                   "height": 84 + 17 * len(top), "margin": {"l": 8, "r": 8, "t": 42, "b": 24},
                   "xaxis": {"zeroline": True, "fixedrange": True, "title": None},
                   "yaxis": {"automargin": True, "fixedrange": True, "tickfont": {"size": 11}},
                   "bargap": 0.25, "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)"},
    }
