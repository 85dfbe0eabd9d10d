"""Callbacks, grouped by panel. Each validates its inputs (unknown gene, odd k) and answers with a
message, never an error page; heavy lifting is in :mod:`gene2vec_dash.queries`."""
from __future__ import annotations

from dataclasses import replace

from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, queries
from gene2vec_dash.layout import legend, z_legend
from gene2vec_dash.queries import MapData
from gene2vec_dash.state import ViewState, find_tissue, parse_query
from pipeline.bundle import tissue_column


def register(app: Dash, data: MapData) -> None:
    _state(app, data)
    _search(app, data)
    _colouring(app, data)
    _gene_panel(app, data)
    _pair_panel(app, data)


def _options(*symbols: str | None) -> list[str]:
    return list(dict.fromkeys(s for s in symbols if s))


# --- URL <-> controls ---------------------------------------------------------------------

def _state(app: Dash, data: MapData) -> None:
    atlases = {key: a.tissues for key, a in data.atlases.items()}

    @app.callback(
        Output("url", "search"), Output("gene", "value"), Output("gene", "options"), Output("k", "value"),
        Output("color-mode", "value"), Output("atlas", "value"), Output("tissue", "value"),
        Output("tissue", "options"), Output("pair-a", "value"),
        Output("pair-a", "options"), Output("pair-b", "value"), Output("pair-b", "options"),
        Output("gene-message", "children"), Output("colour-message", "children"),
        Input("url", "search"), Input("map", "clickData"), Input("neighbours", "active_cell"),
        Input("partners", "active_cell"), Input("gene", "value"), Input("k", "value"),
        Input("color-mode", "value"), Input("atlas", "value"), Input("tissue", "value"), Input("pair-a", "value"),
        Input("pair-b", "value"),
        State("neighbours", "data"), State("partners", "data"),
    )
    def sync(search, click, n_cell, p_cell, gene, k, color, atlas, tissue, pair_a, pair_b, n_rows, p_rows):
        """The URL is the state: on load (or back/forward) it sets the controls; any control
        change (or a click on the map or a table) rewrites it."""
        trigger = ctx.triggered_id
        message = colour_message = no_update
        if trigger in (None, "url"):
            state, colour_message = parse_query(search, atlases)
            requested = state.gene
            state = replace(state, gene=data.resolve(state.gene), pair_a=data.resolve(state.pair_a),
                            pair_b=data.resolve(state.pair_b))
            message = f"No gene named “{requested}” on this map." if requested and not state.gene else ""
        else:
            if atlas in atlases and not find_tissue(atlases, tissue, atlas):     # a new atlas: its first tissue
                tissue = atlases[atlas][0]
            state = ViewState(gene=data.resolve(gene), k=queries.clamp_k(k), color=color or "class",
                              atlas=atlas, tissue=tissue, pair_a=data.resolve(pair_a), pair_b=data.resolve(pair_b))
            if trigger in ("color-mode", "atlas", "tissue"):
                colour_message = ""
            clicked = None
            if trigger == "map" and click and click.get("points"):
                clicked = click["points"][0].get("customdata")
            elif trigger == "neighbours" and n_cell and n_rows and n_cell.get("row", -1) < len(n_rows):
                clicked = n_rows[n_cell["row"]]["symbol"]
            elif trigger == "partners" and p_cell and p_rows and p_cell.get("row", -1) < len(p_rows):
                state = replace(state, pair_b=p_rows[p_cell["row"]]["symbol"])
            if clicked in data.row:
                state = replace(state, gene=clicked)
            if state.gene != data.resolve(gene) or trigger == "gene":
                message = ""
                state = replace(state, pair_a=state.gene or state.pair_a)   # the pair panel follows the gene
        if state.gene and not state.pair_a:
            state = replace(state, pair_a=state.gene)
        query = state.to_query()
        return (query if query != (search or "") else no_update, state.gene, _options(state.gene),
                state.k, state.color, state.atlas, state.tissue, atlases.get(state.atlas, []), state.pair_a,
                _options(state.pair_a), state.pair_b, _options(state.pair_b), message, colour_message)


def _search(app: Dash, data: MapData) -> None:
    for dropdown in ("gene", "pair-a", "pair-b"):
        @app.callback(Output(dropdown, "options", allow_duplicate=True), Input(dropdown, "search_value"),
                      State(dropdown, "value"), prevent_initial_call=True)
        def options(text, current):
            if not text:
                raise PreventUpdate
            hits = queries.search(data, text)
            # "search" holds what was typed: an alias match must survive the dropdown's own filter
            return [{"label": _label(data, s), "value": s, "search": f"{s} {text}"}
                    for s in _options(current, *hits)]


def _label(data: MapData, symbol: str) -> str:
    desc = str(data.genes.at[data.row[symbol], "description"])[:40]
    return f"{symbol} — {desc}" if desc else symbol


# --- map colouring --------------------------------------------------------------------------

def _colouring(app: Dash, data: MapData) -> None:
    class_colours = figures.class_colours(data.genes)

    @app.callback(Output("map", "figure"), Output("legend", "children"), Output("atlas", "disabled"),
                  Output("tissue", "disabled"), Input("color-mode", "value"), Input("atlas", "value"),
                  Input("tissue", "value"))
    def recolour(mode, atlas, tissue):
        patch = Patch()
        view = data.atlases.get(atlas)
        if mode == "tissue" and view is not None and tissue in view.tissues:
            patch["data"][figures.MAP]["marker"]["color"] = figures.z_colours(
                data.genes[tissue_column(atlas, tissue)], view.z_limit)
            return patch, z_legend(view, tissue), False, False
        patch["data"][figures.MAP]["marker"]["color"] = class_colours
        return patch, legend(data), True, True


# --- selected gene: neighbours ----------------------------------------------------------------

def _gene_panel(app: Dash, data: MapData) -> None:
    @app.callback(Output("neighbours", "data"), Output("map", "figure", allow_duplicate=True),
                  Output("download-button", "disabled"),
                  Input("gene", "value"), Input("k", "value"), prevent_initial_call="initial_duplicate")
    def select(gene, k):
        patch = Patch()
        symbol = data.resolve(gene)
        if symbol is None:
            for trace in (figures.NEIGHBOURS, figures.SELECTED):
                for key in ("x", "y", "hovertext", "customdata"):
                    patch["data"][trace][key] = []
            patch["data"][figures.SELECTED]["text"] = []
            return [], patch, True
        table = queries.neighbours(data, symbol, queries.clamp_k(k))
        rows = table["row"].to_numpy()
        me = data.row[symbol]
        g = data.genes
        patch["data"][figures.NEIGHBOURS].update(
            x=g["x"].to_numpy()[rows].tolist(), y=g["y"].to_numpy()[rows].tolist(),
            customdata=table["symbol"].tolist(),
            hovertext=[f"{s} · cosine {v:.3f}" for s, v in zip(table["symbol"], table["similarity"])])
        patch["data"][figures.SELECTED].update(
            x=[float(g.at[me, "x"])], y=[float(g.at[me, "y"])], text=[symbol], customdata=[symbol],
            hovertext=[f"{symbol} · {g.at[me, 'display_class']}<br>{str(g.at[me, 'description'])[:60]}"])
        xr, yr = figures.view_around(g, [me, *rows])
        patch["layout"]["xaxis"]["range"] = xr
        patch["layout"]["yaxis"]["range"] = yr
        return table.drop(columns="row").to_dict("records"), patch, False

    @app.callback(Output("download", "data"), Input("download-button", "n_clicks"),
                  State("gene", "value"), State("k", "value"), prevent_initial_call=True)
    def download(_, gene, k):
        symbol = data.resolve(gene)
        if symbol is None:
            raise PreventUpdate
        table = queries.neighbours(data, symbol, queries.clamp_k(k)).drop(columns="row")
        return dcc.send_data_frame(table.to_csv, f"{symbol}_neighbours.csv", index=False)


# --- gene pair: GGIPNN ------------------------------------------------------------------------

def _pair_panel(app: Dash, data: MapData) -> None:
    @app.callback(Output("pair-result", "children"), Input("pair-a", "value"), Input("pair-b", "value"))
    def predict(a, b):
        sa, sb = data.resolve(a), data.resolve(b)
        if data.predictor is None:
            return html.P("This bundle has no interaction model (GGIPNN).")
        if sa is None:
            return html.P("Choose a first gene to see its predicted partners.")
        if sb is None:
            return html.P(f"Top predicted partners of {sa}; choose a second gene for a pair.")
        r = queries.pair(data, sa, sb)
        return html.Div([
            html.Div([html.Span("P(interaction)", className="label"),
                      html.Span(f"{r['probability']:.3f}", id="pair-probability", className="value")]),
            html.Div([html.Span("cosine similarity", className="label"),
                      html.Span(f"{r['cosine']:.3f}", id="pair-cosine", className="value")]),
            html.P(f"{sa} – {sb}: GGIPNN (shared GO process) from the two vectors alone.", className="note"),
        ])

    @app.callback(Output("partners", "data"), Input("pair-a", "value"))
    def partners(a):
        symbol = data.resolve(a)
        if symbol is None or data.predictor is None:
            return []
        return queries.partners(data, symbol, 10).to_dict("records")
