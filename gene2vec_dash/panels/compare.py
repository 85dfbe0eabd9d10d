"""The Compare tab (``--compare DIR``): a gene's nearest genes in this map and in another embedding
side by side, each gene with its rank among the gene's neighbours in the other."""
from __future__ import annotations

from dash import Dash, Input, Output, dcc, html

from gene2vec_dash import comparison, genebox, ids, inputs
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.queries import MapData
from gene2vec_dash.tables import LOW_ROWS, SUPPORT_TIP, TABLE_STYLE, column_specs, table
from gene2vec_dash.url import Control


def layout(data: MapData, others: Others) -> list:
    here, first = data.bundle.path.name, next(iter(others))
    columns = [("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"), ("Rank in", "other_rank"),
               ("Support", "support")]
    widths = [9, 25, 20, 22, 24]
    half = {**TABLE_STYLE["style_table"], "maxHeight": "calc(50vh - 190px)"}      # both lists in view
    wrapped = {**TABLE_STYLE["style_header"], "whiteSpace": "normal", "lineHeight": "1.2"}   # "Rank in NAME"
    return [
        html.Div([html.Label("Compare with", htmlFor=ids.COMPARE),
                  dcc.Dropdown(id=ids.COMPARE, options=list(others), value=first, clearable=False,
                               className="compare-dropdown")], className="row"),
        html.Div(id=ids.COMPARE_SUMMARY, className="note", role="status"),
        html.H4(f"Neighbours in {here} (this map)"),
        table(ids.COMPARE_A, columns, widths, style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP},
              style_table=half, style_header=wrapped),
        html.H4(["Neighbours in ", html.Span(first, id=ids.COMPARE_B_TITLE)]),
        table(ids.COMPARE_B, columns, widths, style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP},
              style_table=half, style_header=wrapped),
    ]


def register(app: Dash, data: MapData, others: Others) -> None:
    here = data.bundle.path.name

    def columns(where: str) -> list[dict]:
        return column_specs([("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"),
                             (f"Rank in {where}", "other_rank"), ("Support", "support")])

    @app.callback(Output(ids.COMPARE_SUMMARY, "children"), Output(ids.COMPARE_A, "data"),
                  Output(ids.COMPARE_A, "columns"), Output(ids.COMPARE_B, "data"), Output(ids.COMPARE_B, "columns"),
                  Output(ids.COMPARE_B_TITLE, "children"),
                  Input(ids.GENE, "value"), Input(ids.K, "value"), Input(ids.COMPARE, "value"))
    def compare(gene, k, other):
        name = inputs.choice(other, others) or next(iter(others))
        symbol = genebox.gene(data, gene)
        if symbol is None:
            return (html.P(f"Choose a gene to see its neighbours here ({here}) and in {name}."), [], columns(name),
                    [], columns(here), name)
        r = comparison.compare(data, others[name], symbol, inputs.k(k)[0])
        shown = ["rank", "symbol", "similarity", "other_rank", "support"]
        if r["b"] is None:
            summary = html.P(f"{symbol} is not in {name}: it has no neighbours there.")
            return summary, r["a"][shown].to_dict("records"), columns(name), [], columns(here), name
        n = len(r["a"])
        summary = html.P([html.Strong(f"{r['shared']} of {n}"), f" of {symbol}'s nearest genes are the same in "
                          f"{here} and {name} (Jaccard {r['jaccard']:.2f}). “Rank in” says where each gene stands "
                          "among the gene's neighbours in the other embedding (– : not in it)."
                          + (f" {name} records no co-expression contexts: its genes' support is this map's."
                             if r["support_from"] == "a" else "")])
        return (summary, r["a"][shown].to_dict("records"), columns(name), r["b"][shown].to_dict("records"),
                columns(here), name)


PANEL = Panel("Compare", ids.TAB_COMPARE, layout, register, url=(Control("compare", ids.COMPARE),), compared=True)
