"""The Partners tab: the pair model's most likely partners of a gene, and two genes' probability,
cosine and ranks both ways; while it is shown, the map rings the partners and labels the pair."""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from dash import Dash, Input, Output, Patch, html
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, genebox, ids, queries
from gene2vec_dash.caution import caution
from gene2vec_dash.evidence_view import pair_table
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.queries import MapData
from gene2vec_dash.tables import LOW_ROWS, SUPPORT_TIP, TABLE_STYLE, table
from gene2vec_dash.url import Control, Pick

if TYPE_CHECKING:
    import pandas as pd


def layout(data: MapData, others: Others) -> list:
    return [
        html.Div([genebox.gene_dropdown(ids.PAIR_A, "First gene"), genebox.gene_dropdown(ids.PAIR_B, "Second gene")],
                 className="pair-inputs"),
        html.Div(id=ids.PAIR_RESULT, className="pair-result", role="status"),
        # six short columns fit the panel at 1280 px; each partner's name is its row's tooltip
        table(ids.PARTNERS, [("#", "rank"), ("Partner", "symbol"), ("P", "probability"),
                             ("Recip.", "reciprocal"), ("Support", "support"), ("Class", "class")],
              [6, 26, 12, 13, 19, 24], style_data_conditional=LOW_ROWS, tooltip_duration=None,
              style_cell={**TABLE_STYLE["style_cell"], "padding": "3px 4px"},
              tooltip_header={"reciprocal": "Reciprocal rank: where the first gene stands among this partner's "
                                            "own predicted partners (1 = its best): a specific partner ranks it "
                                            "near the top, a generic one far down.", "support": SUPPORT_TIP}),
    ]


# The Partners tab marks partners and the pair instead of the Gene tab's neighbours, and the pair's
# labels replace the starred gene's (one name a gene; a redraw only when that changes, not on every
# tab switch)
OVERLAYS_JS = """function (tab) {
    const pairs = tab === "%(pair)s";
    if (pairs === (window.gene2vecPairsShown || false)) { return window.dash_clientside.no_update; }
    window.gene2vecPairsShown = pairs;
    const patch = new window.dash_clientside.Patch();
    patch.assign(["data", %(neighbours)d, "visible"], !pairs);
    patch.assign(["data", %(partners)d, "visible"], pairs);
    patch.assign(["data", %(pair_trace)d, "visible"], pairs);
    patch.assign(["data", %(selected)d, "mode"], pairs ? "markers" : "markers+text");
    return patch.build();
}""" % {"pair": ids.TAB_PAIR, "neighbours": figures.NEIGHBOURS, "partners": figures.PARTNERS,
        "pair_trace": figures.PAIR, "selected": figures.SELECTED}


def register(app: Dash, data: MapData, others: Others) -> None:
    for dropdown in (ids.PAIR_A, ids.PAIR_B):
        genebox.register(app, data, dropdown)
    app.clientside_callback(OVERLAYS_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.SIDE_TABS, "value"), prevent_initial_call=True)

    @lru_cache(maxsize=256)
    def top_partners(symbol: str) -> "pd.DataFrame":
        """The table and the map's rings of a gene's partners are two requests for the same top 10."""
        return queries.partners(data, symbol, 10)

    @app.callback(Output(ids.PAIR_RESULT, "children"), Input(ids.PAIR_A, "value"), Input(ids.PAIR_B, "value"))
    def predict(a, b):
        sa, sb = genebox.gene(data, a), genebox.gene(data, b)
        if data.predictor is None:
            return html.P("This bundle has no pair model.")
        if sa is None:
            return html.P("Choose a first gene to see its predicted partners.")
        meaning = html.P("P: the pair model's probability that the two genes share an experimentally supported "
                         "GO biological process, from their vectors alone (trained on GO pairs in which every "
                         "gene has as many negatives as positives, so popular genes are not favoured; calibrated "
                         "on held-out pairs, where a partner that also ranks the gene high among its own is "
                         "likelier than one that ranks it far down). A low P "
                         "is not evidence against a relation the arrays cannot see: a partner bound or "
                         "degraded at the protein level (TP53 and MDM2) need not be co-expressed.",
                         className="note")
        warning = caution(data, sa, "predicted partners")
        if sb is None:
            return html.Div([warning, html.P(f"Top predicted partners of {sa}; choose a second gene for a pair."),
                             meaning])
        if sb == sa:
            return html.Div([warning, html.P(f"{sa} twice: choose a second gene other than {sa} for a pair.",
                                             className="message"), meaning])
        r = queries.pair(data, sa, sb)
        return html.Div([
            warning,
            html.Div([html.Span("P(shared GO process)", className="label"),
                      html.Span(f"{r['probability']:.3f}", id=ids.PAIR_PROBABILITY, className="value")]),
            html.Div([html.Span("cosine similarity", className="label"),
                      html.Span(f"{r['cosine']:.3f}", id=ids.PAIR_COSINE, className="value")]),
            html.P(f"{sb} is {ordinal(r['rank_b_among_a'])} of {r['genes'] - 1:,} among {sa}'s predicted partners; "
                   f"{sa} is {ordinal(r['rank_a_among_b'])} among {sb}'s.", className="note"),
            meaning,
            pair_table(data, sa, sb),
        ])

    @app.callback(Output(ids.PARTNERS, "data"), Output(ids.PARTNERS, "tooltip_data"), Input(ids.PAIR_A, "value"))
    def partners(a):
        symbol = genebox.gene(data, a)
        if symbol is None or data.predictor is None:
            return [], []
        found = top_partners(symbol)
        tips = [{"symbol": {"value": f"{s}: {d}", "type": "text"}}
                for s, d in zip(found["symbol"], found["description"])]
        return found.to_dict("records"), tips

    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.PAIR_A, "value"),
                  Input(ids.PAIR_B, "value"), Input(ids.SIDE_TABS, "value"), prevent_initial_call=True)
    def partners_on_map(a, b, tab):
        """While the Partners tab is shown: the first gene's predicted partners ringed, the pair
        labelled (the Gene tab's neighbours are hidden meanwhile, in the browser)."""
        if tab != ids.TAB_PAIR:
            raise PreventUpdate
        patch = Patch()
        figures.show_pairs(patch, True)     # as OVERLAYS_JS did: a link that opens on this tab may have lost it
        symbol, second = genebox.gene(data, a), genebox.gene(data, b)
        pair = [s for s in dict.fromkeys((symbol, second)) if s]
        rows = [data.row[s] for s in pair]
        figures.overlay(patch, figures.PAIR, data.genes, rows)
        patch["data"][figures.PAIR]["text"] = pair
        patch["data"][figures.PAIR]["textposition"] = figures.apart(data.genes, rows)
        found = top_partners(symbol) if symbol and data.predictor is not None else None
        figures.overlay(patch, figures.PARTNERS, data.genes, [] if found is None else
                        [data.row[s] for s in found["symbol"]], None if found is None else
                        [f"{s} · partner {r} of {symbol}, P {p:.3f}"
                         for s, r, p in zip(found["symbol"], found["rank"], found["probability"])])
        return patch


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


PANEL = Panel("Partners", ids.TAB_PAIR, layout, register, url=(
    Control("pair_a", ids.PAIR_A), Control("pair_a_options", ids.PAIR_A, "options", reads=False),
    Control("pair_b", ids.PAIR_B), Control("pair_b_options", ids.PAIR_B, "options", reads=False),
    Pick("partner", ids.PARTNERS, "active_cell")))
