"""The Gene tab: search a gene; its card (names, identifiers, links, support in words), its predicted
functions (:mod:`gene2vec_dash.function_view`) and its nearest genes by cosine, listed and outlined
on the map."""
from __future__ import annotations

from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, function_view, genebox, ids, inputs, queries
from gene2vec_dash.caution import caution
from gene2vec_dash.evidence import expression_note
from gene2vec_dash.evidence_view import expression_words, neighbour_tips, support_words
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.profile import profile_figure, tissue_profile
from gene2vec_dash.queries import MapData
from gene2vec_dash.tables import LOW_ROWS, SUPPORT_TIP, table
from gene2vec_dash.url import Control, Pick


def layout(data: MapData, others: Others) -> list:
    return [
        # not clearable: Enter on the open box (the gene shown is its focused option) left the map with no gene
        genebox.gene_dropdown(ids.GENE, "Search a gene symbol, alias or Entrez id…", clearable=False),
        html.Div(id=ids.GENE_MESSAGE, className="message", role="status"),
        html.Div(id=ids.GENE_CARD, className="gene-card"),
        *function_view.section(data),
        dcc.Graph(id=ids.GENE_PROFILE, config={"displayModeBar": False}, style={"display": "none"}),
        html.Div(id=ids.SUPPORT_CAUTION),
        html.Div([
            html.Label("Neighbours", htmlFor=ids.K),
            dcc.Input(id=ids.K, type="number", step=1, value=15, debounce=True),
            html.Span(id=ids.K_MESSAGE, className="message inline", role="status"),
            html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, className="button"),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="row"),
        # five columns fit the panel at 1280 px, an 11-letter symbol whole (SLC25A5-AS1); each gene's class
        # and whole name are its row's tooltip
        table(ids.NEIGHBOURS, [("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"), ("Support", "support"),
                               ("Description", "description")], [10, 30, 14, 20, 26], tooltip_duration=None,
              style_data_conditional=LOW_ROWS,
              tooltip_header={"support": SUPPORT_TIP, "similarity": "Cosine of the two genes' vectors; hover a row's "
                              "cosine for the co-expression behind it"}),
    ]


def register(app: Dash, data: MapData, others: Others) -> None:
    genebox.register(app, data, ids.GENE)
    function_view.register_functions(app, data)

    @app.callback(Output(ids.NEIGHBOURS, "data"), Output(ids.NEIGHBOURS, "tooltip_data"),
                  Output(ids.MAP, "figure", allow_duplicate=True),
                  Output(ids.DOWNLOAD_BUTTON, "disabled"), Output(ids.GENE_CARD, "children"),
                  Output(ids.SUPPORT_CAUTION, "children"),
                  Input(ids.GENE, "value"), Input(ids.K, "value"), prevent_initial_call="initial_duplicate")
    def select(gene, k):
        patch = Patch()
        symbol = genebox.gene(data, gene)
        if symbol is None:
            if ctx.triggered_id is None:            # the page's first call: nothing drawn to clear
                return [], [], no_update, True, None, None
            for trace in (figures.NEIGHBOURS, figures.SELECTED):
                figures.overlay(patch, trace, data.genes, [])
            patch["data"][figures.SELECTED]["text"] = []
            return [], [], patch, True, None, None
        found = queries.neighbours(data, symbol, inputs.k(k)[0])
        rows = found["row"].to_numpy()
        me = data.row[symbol]
        g = data.genes
        figures.overlay(patch, figures.NEIGHBOURS, g, rows,
                        [f"{s} · cosine {v:.3f}" for s, v in zip(found["symbol"], found["similarity"])])
        figures.overlay(patch, figures.SELECTED, g, [me],
                        [f"{symbol} · {g.at[me, 'display_class']}<br>{str(g.at[me, 'description'])[:60]}"])
        patch["data"][figures.SELECTED]["text"] = [symbol]
        figures.set_ranges(patch, figures.view_around(g, [me, *rows[:30]]))
        why = neighbour_tips(data, symbol, found["symbol"].tolist())
        tips = [{"symbol": {"value": f"{s} ({c}): {d}", "type": "text"},
                 **({"similarity": {"value": w, "type": "text"}} if w else {})}
                for s, c, d, w in zip(found["symbol"], found["class"], found["description"], why)]
        return (found.drop(columns="row").to_dict("records"), tips, patch, False, gene_card(data, symbol),
                caution(data, symbol, "neighbours"))

    @app.callback(Output(ids.GENE_PROFILE, "figure"), Output(ids.GENE_PROFILE, "style"),
                  Input(ids.GENE, "value"), Input(ids.ATLAS, "value"))
    def profile(gene, atlas):
        """The gene's tissue profile in the atlas the colour controls show (the first when none)."""
        shown = data.atlases.get(atlas) if isinstance(atlas, str) else None     # a tampered value: the first
        symbol, view = genebox.gene(data, gene), shown or next(iter(data.atlases.values()), None)
        found = tissue_profile(data, symbol, view) if symbol and view else None
        if found is None or found.empty:
            return no_update, {"display": "none"}
        return profile_figure(found, view, symbol), {"display": "block"}

    @app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
                  State(ids.GENE, "value"), State(ids.K, "value"), prevent_initial_call=True)
    def download(_, gene, k):
        symbol = genebox.gene(data, gene)
        if symbol is None:
            raise PreventUpdate
        found = queries.neighbours(data, symbol, inputs.k(k)[0]).drop(columns="row")
        return dcc.send_data_frame(found.to_csv, f"{symbol}_neighbours.csv", index=False)


def gene_card(data: MapData, symbol: str) -> html.Div:
    c = queries.gene_card(data, symbol)
    note = expression_note(data, symbol)              # said in the support words and the expression line
    facts = [("Entrez", c["entrez"]), ("Ensembl", c["ensembl"]), ("Type", c["type"]), ("Map class", c["class"]),
             ("Aliases", ", ".join(c["aliases"][:12])), ("Support", support_words(c["support"], note)),
             ("Expression", expression_words(data, symbol, note))]
    return html.Div([
        html.Div([html.Span(symbol, className="card-symbol"), html.Span(c["name"], className="card-name")]),
        html.Dl([part for k, v in facts if v for part in (html.Dt(k), html.Dd(v))], className="card-facts"),
        html.Div([html.A(name, href=url, target="_blank", rel="noopener noreferrer", className="card-link")
                  for name, url in c["links"]], className="card-links"),
    ])


PANEL = Panel("Gene", ids.TAB_GENE, layout, register, url=(
    Control("gene", ids.GENE), Control("gene_options", ids.GENE, "options", reads=False), Control("k", ids.K),
    Control("gene_message", ids.GENE_MESSAGE, "children", reads=False),
    Control("k_message", ids.K_MESSAGE, "children", reads=False),
    Pick("gene", ids.NEIGHBOURS, "active_cell")))
