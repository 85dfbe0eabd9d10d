"""The page: map with its colour controls on the left, gene / pair panels on the right, and what
built the map in a panel below. Component ids are the contract with callbacks.py and the tests."""
from __future__ import annotations

from dash import dash_table, dcc, html

from gene2vec_dash import figures
from gene2vec_dash.queries import MAX_K, AtlasView, MapData

TABLE_STYLE = dict(
    style_table={"overflowY": "auto", "maxHeight": "44vh"},
    style_cell={"fontFamily": "inherit", "fontSize": 13, "padding": "3px 6px", "textAlign": "left",
                "whiteSpace": "nowrap", "overflow": "hidden", "textOverflow": "ellipsis", "maxWidth": 260},
    style_header={"fontWeight": 600, "backgroundColor": "#f2f4f7"},
    page_action="none", sort_action="native",
)


def legend(data: MapData) -> list:
    return [html.Span([html.Span(className="swatch", style={"background": colour}), f"{name} ({count:,})"],
                      className="legend-item") for name, colour, count in figures.class_legend(data.genes)]


def z_legend(atlas: AtlasView, tissue: str) -> list:
    """Which atlas and tissue, the scale's ends, and whether the tissue's specific genes gather."""
    pattern = atlas.patterns.get(tissue, {})
    gather = (f" · its {pattern['specific_genes']:,} specific genes (z ≥ 2) have {pattern['map_ratio']:.1f}× "
              "as many specific map neighbours as random genes" if pattern.get("map_ratio") else
              f" · {pattern.get('specific_genes', 0):,} specific genes (z ≥ 2)" if pattern else "")
    return [html.Span(f"{tissue} · {atlas.name}", className="legend-title"),
            html.Span(f"specificity z ≤ -{atlas.z_limit:g}", className="legend-end"),
            html.Span(className="z-bar"),
            html.Span(f"≥ +{atlas.z_limit:g}", className="legend-end"),
            html.Span([html.Span(className="swatch", style={"background": figures.NO_DATA}),
                       f"below {atlas.unit or 'expression'} floor, or no data"], className="legend-item"),
            html.Span(gather, className="legend-note")]


def _metric(manifest: dict, *path: str):
    node = manifest
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def bundle_panel(data: MapData) -> html.Details:
    """What data and settings built this map, from the manifest."""
    m = data.bundle.manifest
    cfg = m.get("config", {})
    rows = [("Genes on the map", f"{len(data.genes):,}"),
            ("Co-expression pairs", f"{_metric(m, 'counts', 'pairs') or 0:,}"),
            ("Pearson r threshold", _metric(cfg, "coexpression", "threshold")),
            ("Embedding", "skip-gram, {dims} dims, {epochs} epochs, min_count {min_count}, seed {seed}".format(
                **cfg["embedding"]) if "embedding" in cfg else "imported"),
            ("Clusteredness (cosine)", _fmt(_metric(m, "metrics", "clusteredness", "cosine", "ratio"))),
            ("GGIPNN test AUC (frozen)", _fmt(_metric(m, "metrics", "ggipnn", "gene2vec_frozen", "test_auc"))),
            ("Map neighbourhood kept (10-NN)",
             _fmt(_metric(m, "metrics", "layout", "neighbourhood_preservation_10nn"))),
            ("Built", m.get("created", "?"))]
    datasets = [html.Li(f"{d['name']}: {d['samples']} samples, {d['genes']:,} genes, {d['pairs']:,} pairs")
                for d in m.get("inputs", [])]
    datasets += [html.Li(f"{e['name']}: {e['pairs']:,} pairs") for e in m.get("extra_pairs", [])]
    return html.Details([
        html.Summary("About this map"),
        html.Table([html.Tr([html.Th(k), html.Td(str(v) if v is not None else "–")]) for k, v in rows],
                   className="facts"),
        html.H4("Data sets"),
        html.Ul(datasets or [html.Li("imported embedding")]),
    ], id="bundle-panel", className="panel")


def _fmt(value) -> str | None:
    return f"{value:.3f}" if isinstance(value, (int, float)) else None


def gene_dropdown(id_: str, placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=[], value=None, placeholder=placeholder, searchable=True,
                        clearable=True, className="gene-dropdown")


def page(data: MapData) -> html.Div:
    first = next(iter(data.atlases.values()), None)
    return html.Div([
        dcc.Location(id="url", refresh=False),
        html.Header([
            html.H1("gene2vec map"),
            html.Span(f"{len(data.genes):,} genes embedded from co-expression · click a gene, or search",
                      className="subtitle"),
        ]),
        html.Main([
            html.Section([
                html.Div([
                    html.Label("Colour by", htmlFor="color-mode"),
                    dcc.RadioItems(id="color-mode", value="class", inline=True, options=[
                        {"label": "gene class", "value": "class"},
                        {"label": "tissue specificity", "value": "tissue", "disabled": first is None}]),
                    dcc.Dropdown(id="atlas", value=first.key if first else None, clearable=False, disabled=True,
                                 options=[{"label": f"{a.name} ({len(a.tissues)})", "value": a.key}
                                          for a in data.atlases.values()], className="atlas-dropdown"),
                    dcc.Dropdown(id="tissue", options=first.tissues if first else [],
                                 value=first.tissues[0] if first else None, clearable=False, searchable=True,
                                 disabled=True, placeholder="Tissue…", className="tissue-dropdown"),
                    html.Div(id="colour-message", className="message", role="status"),
                ], className="controls"),
                html.Div(legend(data), id="legend", className="legend"),
                dcc.Graph(id="map", figure=figures.map_figure(data.genes, figures.class_colours(data.genes)),
                          config={"scrollZoom": True, "displaylogo": False, "doubleClick": "reset"},
                          className="map", style={"height": "calc(100vh - 170px)", "minHeight": "480px"}),
            ], className="map-column"),
            html.Aside([
                html.Div([
                    html.H2("Gene"),
                    gene_dropdown("gene", "Search a gene symbol or alias…"),
                    html.Div(id="gene-message", className="message", role="status"),
                    html.Div([
                        html.Label("Neighbours", htmlFor="k"),
                        dcc.Input(id="k", type="number", min=1, max=MAX_K, step=1, value=15, debounce=True),
                        html.Button("Download CSV", id="download-button", className="button"),
                        dcc.Download(id="download"),
                    ], className="row"),
                    dash_table.DataTable(id="neighbours", data=[], columns=[
                        {"name": "#", "id": "rank"}, {"name": "Gene", "id": "symbol"},
                        {"name": "Cosine", "id": "similarity"}, {"name": "Class", "id": "class"},
                        {"name": "Description", "id": "description"}], **TABLE_STYLE),
                ], className="panel"),
                html.Div([
                    html.H2("Gene pair"),
                    html.Div([gene_dropdown("pair-a", "First gene"), gene_dropdown("pair-b", "Second gene")],
                             className="pair-inputs"),
                    html.Div(id="pair-result", className="pair-result", role="status"),
                    dash_table.DataTable(id="partners", data=[], columns=[
                        {"name": "#", "id": "rank"}, {"name": "Predicted partner", "id": "symbol"},
                        {"name": "P(interaction)", "id": "probability"}, {"name": "Class", "id": "class"},
                        {"name": "Description", "id": "description"}], **TABLE_STYLE),
                ], className="panel"),
                bundle_panel(data),
            ], className="side-column"),
        ]),
    ], className="app")
