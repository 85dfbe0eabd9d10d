"""The page frame: the header, the map column (:mod:`gene2vec_dash.panels.map`) and the side
column's tabs, one per panel (:mod:`gene2vec_dash.panels`)."""
from __future__ import annotations

from typing import Sequence

from dash import dcc, html
from dash.development.base_component import Component

from gene2vec_dash import ids
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.panels import map as map_panel
from gene2vec_dash.queries import MapData


def page(data: MapData, panels: Sequence[Panel], others: Others, notice: Component | None = None) -> html.Div:
    """The whole page; ``panels``: the tabs shown, first selected; ``notice``: a line under the header."""
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        html.Header([
            html.H1("gene2vec map"),
            html.Span(f"{len(data.genes):,} genes embedded from co-expression · click a gene, search one, or "
                      "select a region", className="subtitle"),
            *([notice] if notice is not None else []),
        ]),
        html.Main([
            map_panel.layout(data),
            html.Aside([
                dcc.Tabs(id=ids.SIDE_TABS, value=panels[0].tab, className="tabs", children=[
                    dcc.Tab(label=p.label, value=p.tab, children=p.layout(data, others), className="tab",
                            selected_className="tab-selected", **({"id": p.id} if p.id else {}))
                    for p in panels]),
            ], className="side-column"),
        ]),
    ], className="app")
