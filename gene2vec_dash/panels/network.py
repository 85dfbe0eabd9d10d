"""The Network tab: the gene with its nearest genes (or its partners) as a labelled graph, links
weighted by cosine (or P), genes coloured as the map is; a click on a gene makes it the gene."""
from __future__ import annotations

import dash_cytoscape as cyto
from dash import Dash, Input, Output, dcc, html

from gene2vec_dash import genebox, ids, inputs, network
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.queries import MapData
from gene2vec_dash.state import COLOR_MODES, NETWORK_MODES
from gene2vec_dash.url import Control, Pick

STYLE = [
    {"selector": "node", "style": {"label": "data(label)", "background-color": "data(colour)", "width": 14,
                                   "height": 14, "font-size": 11, "color": "#1d2733", "text-valign": "top",
                                   "text-margin-y": -3, "border-width": 1, "border-color": "#5b6673"}},
    {"selector": ".centre", "style": {"shape": "star", "width": 26, "height": 26, "background-color": "#ffd400",
                                      "border-color": "#000", "font-weight": 700, "font-size": 13}},
    {"selector": ".low", "style": {"opacity": 0.55, "font-style": "italic"}},
    {"selector": "edge", "style": {"width": "data(width)", "line-color": "#9aa5b1", "opacity": 0.75,
                                   "curve-style": "straight"}},
    {"selector": ".link", "style": {"line-color": "#c8d0d9", "line-style": "dashed"}},
]


def layout(data: MapData, others: Others) -> list:
    modes = [{"label": "nearest genes (cosine)", "value": "neighbours"},
             {"label": "partners (P)", "value": "partners", "disabled": data.bundle.pair_model_path is None}]
    return [
        html.Div([html.Label("Show", htmlFor=ids.NETWORK_MODE),
                  dcc.RadioItems(id=ids.NETWORK_MODE, value="neighbours", inline=True, options=modes)],
                 className="row"),
        html.Div(id=ids.NETWORK_SUMMARY, className="note", role="status"),
        cyto.Cytoscape(id=ids.NETWORK, elements=[], layout={"name": "preset", "fit": True, "padding": 24},
                       stylesheet=STYLE, minZoom=0.3, maxZoom=3, className="network",
                       style={"width": "100%", "height": "calc(100vh - 260px)", "minHeight": "320px"}),
    ]


def register(app: Dash, data: MapData, others: Others) -> None:
    @app.callback(Output(ids.NETWORK, "elements"), Output(ids.NETWORK_SUMMARY, "children"),
                  Input(ids.GENE, "value"), Input(ids.K, "value"), Input(ids.NETWORK_MODE, "value"),
                  Input(ids.COLOR_MODE, "value"), Input(ids.ATLAS, "value"), Input(ids.TISSUE, "value"),
                  Input(ids.SIDE_TABS, "value"))
    def draw(gene, k, mode, colour, atlas, tissue, tab):
        symbol = genebox.gene(data, gene)
        if tab != ids.TAB_NETWORK:
            return [], ""                   # drawn only while shown: a hidden graph is measured at 0 px
        if symbol is None:
            return [], "Choose a gene (Gene tab, or click one on the map) to see its neighbourhood."
        mode = inputs.choice(mode, NETWORK_MODES) or "neighbours"
        atlas = inputs.choice(atlas, data.atlases)
        by_tissue = inputs.choice(colour, COLOR_MODES) == "tissue" and atlas and \
            inputs.choice(tissue, data.atlases[atlas].tissues)
        n = min(inputs.k(k)[0], network.MAX_NODES)
        elements = network.neighbourhood(data, symbol, n, mode, (atlas, tissue) if by_tissue else None)
        what = "nearest genes by cosine" if mode == "neighbours" or data.predictor is None else \
            "most likely partners by the pair model (P)"
        return elements, (f"{symbol} and its {n} {what}" + (f" (at most {network.MAX_NODES})" if n < inputs.k(k)[0]
                                                          else "") +
                          "; a solid line links each to the star, thicker and shorter the closer; dashed lines link "
                          "genes as close to each other as the median of those. Colours as on the map"
                          + (f": {tissue} specificity." if by_tissue else ": gene class.")
                          + " Click a gene to make it the gene.")


PANEL = Panel("Network", ids.TAB_NETWORK, layout, register, url=(Control("network", ids.NETWORK_MODE),
                                                                     Pick("gene", ids.NETWORK, "tapNodeData")))
