"""The Gene list tab: genes selected on the map (box or lasso) or pasted, tested against every gene
set of the bundle, and the genes that belong with them; and a gene set chosen by name, shown on the
map with its own clusteredness."""
from __future__ import annotations

import numpy as np
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, function_view, ids, inputs, queries
from gene2vec_dash.genelists import MAX_LIST, enrichment, read_gene_list
from gene2vec_dash.panel import Others, Panel
from gene2vec_dash.queries import MapData
from gene2vec_dash.tables import table
from gene2vec_dash.url import Control, Pick


def layout(data: MapData, others: Others) -> list:
    return [
        html.P("Select genes on the map (box or lasso in the map's toolbar), or paste a list:", className="note"),
        dcc.Textarea(id=ids.LIST_TEXT, placeholder="Symbols, aliases or Entrez ids, separated by anything",
                     className="list-text"),
        html.Div([html.Button("Test this list", id=ids.LIST_BUTTON, className="button primary"),
                  html.Button("Clear", id=ids.LIST_CLEAR, className="button"),
                  html.Button("Download genes", id=ids.LIST_DOWNLOAD_BUTTON, className="button", disabled=True),
                  html.Button("Download table", id=ids.ENRICHMENT_DOWNLOAD_BUTTON, className="button",
                              disabled=True),
                  dcc.Download(id=ids.LIST_DOWNLOAD), dcc.Download(id=ids.ENRICHMENT_DOWNLOAD)], className="row"),
        html.Div(id=ids.LIST_SUMMARY, className="list-summary", role="status"),
        dcc.Store(id=ids.LIST_GENES, data=[]),
        dcc.Store(id=ids.MAP_SELECTION), dcc.Store(id=ids.LIST_ON_MAP, data=False),
        # a set's name wraps (two lines) rather than being cut; its genes in the list are its tooltip
        table(ids.ENRICHMENT, [("Gene set", "gene set"), ("In list", "in list"), ("Fold", "fold"),
                               ("FDR", "FDR")], [47, 22, 13, 18], tooltip_duration=None,
              style_data_conditional=[{"if": {"column_id": "gene set"}, "whiteSpace": "normal",
                                       "overflowWrap": "anywhere", "lineHeight": "1.25"}]),
        function_view.candidate_section(),
        html.H3("Show a gene set on the map"),
        dcc.Dropdown(id=ids.PATHWAY, options=[], value=None, searchable=True, clearable=True, search_order="original",
                     placeholder="Type words of a GO term or pathway name…", className="pathway-dropdown"),
        html.Div(id=ids.PATHWAY_SUMMARY, className="note", role="status"),
    ]


def register(app: Dash, data: MapData, others: Others) -> None:
    _gene_list(app, data)
    function_view.register_candidates(app, data)
    _pathway(app, data)


# In the browser, a map selection becomes the symbols of the map's own points (an overlay's points sit
# on the same genes): a few bytes a gene to the server, not plotly's ~200 (coordinates, hover text, colour).
# No selection left on the map (a double-click, or Clear removing it: plotly then reports no points and
# no box or lasso) empties the list, and asks nothing of the server when the list is already empty.
SELECTION_JS = """function (selected, genes, summary, drawn) {
    const points = selected && Array.isArray(selected.points) ? selected.points : null;
    if (!points || (!points.length && !selected.range && !selected.lassoPoints)) {
        const empty = (!genes || !genes.length) && !summary && !drawn;
        return empty ? window.dash_clientside.no_update : null;
    }
    return points.filter(p => p.curveNumber === %d).map(p => p.customdata);
}""" % figures.MAP


# A link's list (?list=BRCA1,RAD51) is pasted and tested as a user would: the same reading (aliases, names
# not on the map said) and the same table. Only when it differs from the list shown: the URL is rewritten
# from the list after every test, and this then does nothing. The click is set_props, not an output: the
# test rewrites the URL, and an output chain URL -> test -> URL would be a dependency cycle. The text is
# set_props too, before the click, so that the test reads it (the returned value lands after the call).
LINK_LIST_JS = """function (search, genes, clicks) {
    const named = new URLSearchParams(search || "").get("list");
    if (!named || named === (genes || []).join(",")) { return window.dash_clientside.no_update; }
    const text = named.split(",").join(", ");
    const set = window.dash_clientside.set_props;
    set("%s", {value: text});
    set("%s", {n_clicks: (clicks || 0) + 1});
    return text;
}""" % (ids.LIST_TEXT, ids.LIST_BUTTON)


def _gene_list(app: Dash, data: MapData) -> None:
    symbols = data.genes["symbol"].to_numpy(dtype=object)
    app.clientside_callback(SELECTION_JS, Output(ids.MAP_SELECTION, "data"), Input(ids.MAP, "selectedData"),
                            State(ids.LIST_GENES, "data"), State(ids.LIST_SUMMARY, "children"),
                            State(ids.LIST_ON_MAP, "data"), prevent_initial_call=True)
    app.clientside_callback(LINK_LIST_JS, Output(ids.LIST_TEXT, "value", allow_duplicate=True),
                            Input(ids.URL, "search"), State(ids.LIST_GENES, "data"), State(ids.LIST_BUTTON, "n_clicks"),
                            prevent_initial_call="initial_duplicate")

    @app.callback(Output(ids.LIST_GENES, "data"), Output(ids.LIST_SUMMARY, "children"), Output(ids.ENRICHMENT, "data"),
                  Output(ids.ENRICHMENT, "tooltip_data"), Output(ids.MAP, "figure", allow_duplicate=True),
                  Output(ids.LIST_ON_MAP, "data"), Output(ids.SIDE_TABS, "value"), Output(ids.LIST_TEXT, "value"),
                  Input(ids.MAP_SELECTION, "data"), Input(ids.LIST_BUTTON, "n_clicks"),
                  Input(ids.LIST_CLEAR, "n_clicks"), State(ids.LIST_TEXT, "value"), State(ids.LIST_ON_MAP, "data"),
                  State(ids.SIDE_TABS, "value"), prevent_initial_call=True)
    def gene_list(selection, _, __, text, drawn, tab):
        """A map selection is already marked by plotly (the rest dimmed): only a pasted list is drawn
        on the list overlay, and the overlay is cleared only when it holds genes (each is a redraw)."""
        trigger = ctx.triggered_id
        unselect = trigger == ids.LIST_CLEAR and selection is not None    # Clear: the map's own selection
        patch = Patch() if drawn or unselect else no_update               # (box, lasso) goes too, if made
        if drawn:
            figures.overlay(patch, figures.LIST, data.genes, [])
        if unselect:
            figures.clear_selection(patch)
        to_tab = ids.TAB_LIST if tab != ids.TAB_LIST else no_update
        selected, cut = inputs.symbols(selection)
        if trigger == ids.LIST_CLEAR or (trigger == ids.MAP_SELECTION and selected is None):
            return [], "", [], [], patch, False, no_update, "" if trigger == ids.LIST_CLEAR else no_update
        if trigger == ids.MAP_SELECTION:
            rows = np.array(sorted({data.row[n] for n in selected if n in data.row}), dtype=np.int64)
            origin = f"{len(rows):,} genes selected on the map"
            notes = [f"only the first {inputs.MAX_SELECTED:,} selected genes were read"] if cut else []
        else:
            rows, origin, notes = _pasted(data, text)
            patch = Patch()
            figures.overlay(patch, figures.LIST, data.genes, rows)
        on_map = trigger != ids.MAP_SELECTION and len(rows) > 0
        if not len(rows):
            return [], html.Div([html.P(origin), *[html.P(n) for n in notes]]), [], [], patch, on_map, to_tab, no_update
        found = enrichment(data.sets, rows, symbols)
        shown = found.assign(FDR=found["FDR"].map("{:.1e}".format),
                             **{"in list": [f"{k} of {n}" for k, n in zip(found["overlap"], found["set size"])]})
        tips = [{"gene set": {"value": f"{r['gene set']} ({r['source']}; p {r['p']:.1e}): {r['genes']}",
                              "type": "text"}} for r in found.to_dict("records")]
        summary = html.Div([
            html.P([html.Strong(origin), f" · tested against {len(data.sets):,} gene sets of 5–500 map genes "
                    "(one-sided Fisher exact test, the map's genes as background, Benjamini–Hochberg FDR)"]),
            *[html.P(n, className="note") for n in notes],
            html.P("No set shares 2 or more genes with this list." if found.empty else
                   "Hover a gene set for its genes in the list and its p; Download table gives every column.",
                   className="note"),
        ])
        return symbols[rows].tolist(), summary, shown.to_dict("records"), tips, patch, on_map, to_tab, no_update

    app.clientside_callback("function (genes) { const none = !genes || !genes.length; return [none, none]; }",
                            Output(ids.LIST_DOWNLOAD_BUTTON, "disabled"),
                            Output(ids.ENRICHMENT_DOWNLOAD_BUTTON, "disabled"), Input(ids.LIST_GENES, "data"))

    def listed(genes: object) -> list[str]:
        names = inputs.symbols(genes)[0]
        if not names:
            raise PreventUpdate
        return [g for g in names if g in data.row]

    @app.callback(Output(ids.LIST_DOWNLOAD, "data"), Input(ids.LIST_DOWNLOAD_BUTTON, "n_clicks"),
                  State(ids.LIST_GENES, "data"), prevent_initial_call=True)
    def download(_, genes):
        genes = listed(genes)
        table = data.genes.iloc[[data.row[g] for g in genes]][["symbol", "entrez", "display_class", "description",
                                                               "x", "y"]]
        return dcc.send_data_frame(table.to_csv, f"genes_{list_name(genes)}.csv", index=False)

    @app.callback(Output(ids.ENRICHMENT_DOWNLOAD, "data"), Input(ids.ENRICHMENT_DOWNLOAD_BUTTON, "n_clicks"),
                  State(ids.LIST_GENES, "data"), prevent_initial_call=True)
    def download_table(_, genes):
        """The enrichment table, every column, as UTF-8 CSV named after the list (no byte-order mark)."""
        genes = listed(genes)
        table = enrichment(data.sets, np.array(sorted(data.row[g] for g in genes)), symbols)
        return dcc.send_data_frame(table.to_csv, f"enrichment_{list_name(genes)}.csv", index=False)


def list_name(genes: list[str]) -> str:
    """A file name's part for a gene list: its first two genes and how many more ("CDK1_CCNB1_and_48_more")."""
    head = "_".join(genes[:2])
    return head + (f"_and_{len(genes) - 2}_more" if len(genes) > 2 else "")


def _pasted(data: MapData, value: object) -> tuple[np.ndarray, str, list]:
    """A pasted list read: its map rows, what it found, and notes on what was renamed, not found or
    not read (every name said back is shortened)."""
    text, cut = inputs.list_text(value)
    reading = read_gene_list(text, data.alias, data.entrez, data.row)
    notes: list = []
    if reading.renamed:
        notes.append("read as: " + ", ".join(f"{inputs.shown(a)} → {b}" for a, b in reading.renamed[:20])
                     + (" …" if len(reading.renamed) > 20 else ""))
    if reading.unknown:
        notes.append(html.Span(f"not on this map ({len(reading.unknown)}): "
                               + ", ".join(inputs.shown(n) for n in reading.unknown[:30])
                               + (" …" if len(reading.unknown) > 30 else ""), className="unknown"))
    if reading.truncated:
        notes.append(f"only the first {MAX_LIST:,} names were read")
    elif cut:
        notes.append(f"only the first {inputs.MAX_LIST_CHARS:,} characters were read")
    return reading.rows, f"{len(reading.rows):,} genes of the list found on the map", notes


def _pathway(app: Dash, data: MapData) -> None:
    def label(k: int) -> str:
        return f"{data.sets.name[k]} · {data.sets.source[k]} ({data.sets.sizes[k]})"

    @app.callback(Output(ids.PATHWAY, "options"), Input(ids.PATHWAY, "search_value"), Input(ids.PATHWAY, "value"))
    def options(text, current):
        typed, current = inputs.text(text) or "", inputs.index(current, len(data.sets))
        found = data.sets.find(typed)
        if current is not None and current not in found:
            found = [current, *found]
        return [{"label": label(k), "value": k, "search": f"{label(k)} {typed}"} for k in found]

    @app.callback(Output(ids.PATHWAY_SUMMARY, "children"), Output(ids.MAP, "figure", allow_duplicate=True),
                  Input(ids.PATHWAY, "value"), prevent_initial_call=True)
    def show(k):
        patch = Patch()
        k = inputs.index(k, len(data.sets))
        if k is None:
            figures.overlay(patch, figures.PATHWAY, data.genes, [])
            return "", patch
        view = queries.set_view(data, k)
        figures.overlay(patch, figures.PATHWAY, data.genes, view["rows"],
                        [f"{s} · {view['name'][:50]}" for s in data.genes["symbol"].to_numpy()[view["rows"]]])
        figures.set_ranges(patch, figures.whole_map(data.genes))
        return html.Span([
            html.Strong(f"{len(view['rows']):,} genes"), f" of {view['name']} ({view['source']}) outlined in red. "
            f"Clusteredness {view['ratio']:.2f}: mean cosine within the set {view['within']:.3f} / random gene "
            f"pairs {view['random']:.3f} (1 = no tighter than chance; the paper's average over pathways: 1.52).",
        ], id=ids.PATHWAY_CLUSTEREDNESS), patch


PANEL = Panel("Gene list", ids.TAB_LIST, layout, register,
              url=(Control("pathway", ids.PATHWAY), Control("list", ids.LIST_GENES, "data", sets=False),
                   Pick("gene", ids.CANDIDATES, "active_cell")))
