"""Callbacks, grouped by panel. Every input is parsed first by :mod:`gene2vec_dash.inputs` (types and
bounds), so a body sees only values it expects; an unknown gene or an odd k is answered with a
message, never an error page. Heavy lifting is in :mod:`gene2vec_dash.queries`."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from gene2vec_dash import figures, ids, inputs, queries
from gene2vec_dash.genelists import MAX_LIST, enrichment, read_gene_list
from gene2vec_dash.layout import legend, z_legend
from gene2vec_dash.queries import MapData
from gene2vec_dash.state import COLOR_MODES, SUPPORT_VIEWS, ViewState, find_tissue, parse_query
from pipeline.bundle import tissue_column

if TYPE_CHECKING:
    import pandas as pd


def register(app: Dash, data: MapData, others: dict[str, MapData] | None = None) -> None:
    """Every callback of the page; ``others``: the embeddings this map is compared with, by name."""
    others = others or {}
    _state(app, data, others)
    _search(app, data)
    _colouring(app, data)
    _gene_panel(app, data)
    _pair_panel(app, data)
    _gene_list(app, data)
    _pathway(app, data)
    _whole_map(app, data)
    _support_view(app, data)
    if others:
        _compare_panel(app, data, others)


def _options(*symbols: str | None) -> list[str]:
    return list(dict.fromkeys(s for s in symbols if s))


def _gene(data: MapData, value: object) -> str | None:
    """The official symbol a gene control's value names, None for anything else."""
    return data.resolve(inputs.name(value))


# --- URL <-> controls ---------------------------------------------------------------------

Atlases = dict[str, list[str]]
KEEP_MESSAGES = {"gene_message": no_update, "colour_message": no_update, "k_message": no_update}


def _state(app: Dash, data: MapData, others: dict[str, MapData]) -> None:
    atlases = {key: a.tissues for key, a in data.atlases.items()}
    first_other = next(iter(others), None)

    @app.callback(
        output=dict(search=Output(ids.URL, "search"), gene=Output(ids.GENE, "value"),
                    gene_options=Output(ids.GENE, "options"), k=Output(ids.K, "value"),
                    color=Output(ids.COLOR_MODE, "value"), atlas=Output(ids.ATLAS, "value"),
                    tissue=Output(ids.TISSUE, "value"), tissues=Output(ids.TISSUE, "options"),
                    pair_a=Output(ids.PAIR_A, "value"), pair_a_options=Output(ids.PAIR_A, "options"),
                    pair_b=Output(ids.PAIR_B, "value"), pair_b_options=Output(ids.PAIR_B, "options"),
                    gene_message=Output(ids.GENE_MESSAGE, "children"),
                    colour_message=Output(ids.COLOUR_MESSAGE, "children"),
                    k_message=Output(ids.K_MESSAGE, "children"), pathway=Output(ids.PATHWAY, "value"),
                    support=Output(ids.SUPPORT_VIEW, "value"), compare=Output(ids.COMPARE, "value"),
                    tab=Output(ids.SIDE_TABS, "value", allow_duplicate=True)),
        inputs=dict(search=Input(ids.URL, "search"), click=Input(ids.MAP, "clickData"),
                    n_cell=Input(ids.NEIGHBOURS, "active_cell"), p_cell=Input(ids.PARTNERS, "active_cell"),
                    gene=Input(ids.GENE, "value"), k=Input(ids.K, "value"), color=Input(ids.COLOR_MODE, "value"),
                    atlas=Input(ids.ATLAS, "value"), tissue=Input(ids.TISSUE, "value"),
                    pair_a=Input(ids.PAIR_A, "value"), pair_b=Input(ids.PAIR_B, "value"),
                    pathway=Input(ids.PATHWAY, "value"), support=Input(ids.SUPPORT_VIEW, "value"),
                    compare=Input(ids.COMPARE, "value"), tab=Input(ids.SIDE_TABS, "value")),
        state=dict(n_rows=State(ids.NEIGHBOURS, "data"), p_rows=State(ids.PARTNERS, "data")),
        prevent_initial_call="initial_duplicate",
    )
    def sync(search, click, n_cell, p_cell, n_rows, p_rows, **controls) -> dict:
        """The URL is the state: on load (or back/forward) it sets the controls; any control
        change (or a click on the map or a table) rewrites it."""
        trigger = ctx.triggered_id
        tab = no_update
        if trigger in (None, ids.URL):
            state, pathway, notes = _from_link(data, atlases, search, tuple(others))
            tab = ids.TAB_COMPARE if state.compare else no_update       # a link that names a comparison
        else:
            picked = _picked(trigger, click, n_cell, n_rows, p_cell, p_rows)
            state, pathway, notes = _from_controls(data, atlases, trigger, picked, tuple(others), **controls)
        if state.gene and not state.pair_a:
            state = replace(state, pair_a=state.gene)
        query = state.to_query()
        values = {"gene": state.gene, "k": state.k, "color": state.color, "atlas": state.atlas,
                  "tissue": state.tissue, "pair_a": state.pair_a, "pair_b": state.pair_b, "pathway": pathway,
                  "support": state.support, "compare": state.compare or first_other}
        # a value is sent only when it changes: Dash fires every callback of a prop it is sent, changed
        # or not, and each would redraw the 25k-point map (options feed no callback)
        return {**KEEP_MESSAGES, **notes, "search": query if query != (search or "") else no_update,
                **{key: value if value != controls[key] else no_update for key, value in values.items()},
                "gene_options": _options(state.gene), "pair_a_options": _options(state.pair_a),
                "pair_b_options": _options(state.pair_b), "tissues": atlases.get(state.atlas, []), "tab": tab}


def _from_link(data: MapData, atlases: Atlases, search: object, compared: tuple[str, ...]
               ) -> tuple[ViewState, int | None, dict]:
    """The view a link asks for, its genes resolved, and what of it could not be followed (said in
    the gene, colour and k messages)."""
    query, link_note = inputs.link(search)
    state, colour_message, k_message = parse_query(query, atlases, compared)
    requested, pair = state.gene, (state.pair_a, state.pair_b)
    state = replace(state, gene=data.resolve(state.gene), pair_a=data.resolve(state.pair_a),
                    pair_b=data.resolve(state.pair_b))
    pair_note = " ".join(f"Pair: {n}" for n in (_resolution_note(asked, got) for asked, got in
                                                 zip(pair, (state.pair_a, state.pair_b))) if n)
    pathway = data.sets.index_of(state.gene_set)
    set_note = ""
    if state.gene_set and pathway is None:
        set_note = f"No gene set named “{inputs.shown(state.gene_set)}” in this map."
        state = replace(state, gene_set=None)
    return state, pathway, {"gene_message": _resolution_note(requested, state.gene), "k_message": k_message,
                            "colour_message": " ".join(filter(None, (link_note, colour_message, set_note,
                                                                     pair_note)))}


def _picked(trigger: str, click: object, n_cell: object, n_rows: object, p_cell: object,
            p_rows: object) -> tuple[str | None, str | None]:
    """(gene, partner): the gene clicked on the map or in the neighbours table, or the partner
    clicked in the partners table."""
    if trigger == ids.MAP:
        return inputs.clicked(click), None
    if trigger == ids.NEIGHBOURS:
        return inputs.table_pick(n_cell, n_rows), None
    if trigger == ids.PARTNERS:
        return None, inputs.table_pick(p_cell, p_rows)
    return None, None


def _from_controls(data: MapData, atlases: Atlases, trigger: str, picked: tuple[str | None, str | None],
                   compared: tuple[str, ...], *, gene: object, k: object, color: object, atlas: object,
                   tissue: object, pair_a: object, pair_b: object, pathway: object, support: object,
                   compare: object, tab: object) -> tuple[ViewState, int | None, dict]:
    """The view after a control changed or a gene was clicked, and which messages that sets or
    clears (a control's value that could not be used is said in its panel's message)."""
    notes = {}
    chosen, colour, atlas_key = inputs.name(gene), inputs.choice(color, COLOR_MODES), inputs.choice(atlas, atlases)
    tissue_name, set_k = inputs.text(tissue), inputs.index(pathway, len(data.sets))
    if atlas_key and not find_tissue(atlases, tissue_name, atlas_key):     # a new atlas: its first tissue
        tissue_name = atlases[atlas_key][0]
    checked, k_note = inputs.k(k)
    if trigger == ids.K:
        notes["k_message"] = k_note
    if trigger in (ids.COLOR_MODE, ids.ATLAS, ids.TISSUE):
        notes["colour_message"] = (inputs.ignored(color, colour, "a colouring")
                                   or inputs.ignored(atlas, atlas_key, "an atlas of this map")
                                   or inputs.ignored(tissue, inputs.text(tissue), "a tissue name"))
    clicked, partner = picked
    resolved = data.resolve(chosen)
    state = ViewState(gene=clicked if clicked in data.row else resolved, k=checked, color=colour or "class",
                      atlas=atlas_key, tissue=tissue_name, pair_a=_gene(data, pair_a),
                      pair_b=data.resolve(partner) or _gene(data, pair_b),
                      gene_set=None if set_k is None else str(data.sets.name[set_k]),
                      support=inputs.choice(support, SUPPORT_VIEWS) or "show",
                      # the link names the comparison while the Compare tab shows it
                      compare=inputs.choice(compare, compared) if tab == ids.TAB_COMPARE else None)
    if state.gene != resolved or trigger == ids.GENE:
        notes["gene_message"] = inputs.ignored(gene, chosen, "a gene name") if trigger == ids.GENE else ""
        state = replace(state, pair_a=state.gene or state.pair_a)   # the pair panel follows the gene
    return state, set_k, notes


def _resolution_note(requested: str | None, symbol: str | None) -> str:
    """What became of a gene named in a link: not found, or read as an alias ("p53 → TP53")."""
    if not requested:
        return ""
    if symbol is None:
        return f"No gene named “{inputs.shown(requested)}” on this map."
    return "" if requested.strip() == symbol else f"{inputs.shown(requested.strip())} → {symbol} (official symbol)"


def _search(app: Dash, data: MapData) -> None:
    for dropdown in (ids.GENE, ids.PAIR_A, ids.PAIR_B):
        @app.callback(Output(dropdown, "options", allow_duplicate=True), Input(dropdown, "search_value"),
                      State(dropdown, "value"), prevent_initial_call=True)
        def options(text, current):
            typed = inputs.name(text)
            if not typed:
                raise PreventUpdate
            hits = dict(queries.search(data, typed))
            # "search" holds what was typed: an alias match must survive the dropdown's own filter. The
            # current gene stays an option (the box shows it) but last, found by its own name only, so a
            # suggestion is never the gene already shown
            now = _gene(data, current)
            found = [{"label": _label(data, s, hits.get(s)), "value": s, "search": f"{s} {typed}"}
                     for s in hits if s != now]
            return found + ([{"label": _label(data, now, hits.get(now)), "value": now,
                              "search": f"{now} {typed}" if now in hits else now}] if now else [])


def _label(data: MapData, symbol: str, alias: str | None = None) -> str:
    desc = str(data.genes.at[data.row[symbol], "description"])[:40]
    matched = f" (alias {alias})" if alias else ""
    return f"{symbol}{matched} — {desc}" if desc else symbol + matched


# --- map colouring --------------------------------------------------------------------------

# The map is recoloured in the browser: the bins of the colouring asked for (gene class, or one tissue
# of an atlas, a slice of the atlas' bins) and its colour scale, assigned to the genes' trace. An
# atlas' bins come from the server once (ATLAS_REQUEST), then stay in the COLOURS store.
RECOLOUR_JS = """function (mode, atlas, tissue, colours) {
    const C = window.dash_clientside;
    if (!colours) { return C.no_update; }
    let spec = colours["class"], bins = null;
    if (mode === "tissue" && atlas) {
        const a = colours.atlases[atlas];
        if (!a) { return C.no_update; }
        const k = a.tissues.indexOf(tissue);
        if (k >= 0) {
            const all = gene2vecArray(atlas, a.bins), n = all.length / a.tissues.length;
            spec = a;
            bins = all.subarray(k * n, (k + 1) * n);
        }
    }
    if (bins === null) { bins = gene2vecArray("class", spec.bins); }
    const patch = new C.Patch();
    for (const key of ["colorscale", "cmin", "cmax"]) { patch.assign(["data", %(map)d, "marker", key], spec[key]); }
    patch.assign(["data", %(map)d, "marker", "color"], bins);
    return patch.build();
}""" % {"map": figures.MAP}

# which atlas' bins the page still needs (none while colouring by class or once they are here)
ATLAS_NEEDED_JS = """function (mode, atlas, colours) {
    const needed = mode === "tissue" && atlas && colours && !colours.atlases[atlas];
    return needed ? atlas : window.dash_clientside.no_update;
}"""

# Once the map is drawn: hover labels (the symbol from the figure, the class from the class bins, the
# description from a store filled after the first paint, so that it does not wait for 1.5 MB of text),
# and the genes' positions and colours as arrays kept in the page (assets/arrays.js: without them every
# later redraw, even one that changes nothing, recalculates every gene)
AFTER_PAINT_JS = """function (descriptions, colours, figure) {
    if (!descriptions || !colours || !figure) { return window.dash_clientside.no_update; }
    const bins = gene2vecArray("class", colours["class"].bins), names = colours["class"].names;
    const text = descriptions.map((d, k) => names[bins[k]] + (d ? "<br>" + d : ""));
    const patch = new window.dash_clientside.Patch(), genes = figure.data[%(map)d];
    patch.assign(["data", %(map)d, "hovertext"], text);
    patch.assign(["data", %(map)d, "hovertemplate"], "<b>%%{customdata}</b> · %%{hovertext}<extra></extra>");
    for (const [path, key, value] of [[["x"], "x", genes.x], [["y"], "y", genes.y],
                                      [["marker", "color"], "class", genes.marker.color]]) {
        if (value && typeof value.bdata === "string") {      // not yet replaced (by a recolour, a support view)
            patch.assign(["data", %(map)d, ...path], gene2vecArray(key, value.bdata, value.dtype));
        }
    }
    return patch.build();
}""" % {"map": figures.MAP}

# The Partners tab marks partners and the pair instead of the Gene tab's neighbours (a redraw only
# when that changes, not on every tab switch)
OVERLAYS_JS = """function (tab) {
    const pairs = tab === "%(pair)s";
    if (pairs === (window.gene2vecPairsShown || false)) { return window.dash_clientside.no_update; }
    window.gene2vecPairsShown = pairs;
    const patch = new window.dash_clientside.Patch();
    patch.assign(["data", %(neighbours)d, "visible"], !pairs);
    patch.assign(["data", %(partners)d, "visible"], pairs);
    patch.assign(["data", %(pair_trace)d, "visible"], pairs);
    return patch.build();
}""" % {"pair": ids.TAB_PAIR, "neighbours": figures.NEIGHBOURS, "partners": figures.PARTNERS,
        "pair_trace": figures.PAIR}


def _colouring(app: Dash, data: MapData) -> None:
    atlas_bins: dict[str, dict] = {}

    app.clientside_callback(RECOLOUR_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.COLOR_MODE, "value"), Input(ids.ATLAS, "value"), Input(ids.TISSUE, "value"),
                            Input(ids.COLOURS, "data"), prevent_initial_call=True)
    app.clientside_callback(ATLAS_NEEDED_JS, Output(ids.ATLAS_REQUEST, "data"), Input(ids.COLOR_MODE, "value"),
                            Input(ids.ATLAS, "value"), State(ids.COLOURS, "data"), prevent_initial_call=True)
    app.clientside_callback(AFTER_PAINT_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.HOVER_TEXT, "data"), State(ids.COLOURS, "data"), State(ids.MAP, "figure"),
                            prevent_initial_call=True)
    app.clientside_callback(OVERLAYS_JS, Output(ids.MAP, "figure", allow_duplicate=True),
                            Input(ids.SIDE_TABS, "value"), prevent_initial_call=True)

    @app.callback(Output(ids.COLOURS, "data"), Input(ids.ATLAS_REQUEST, "data"), prevent_initial_call=True)
    def send_atlas(key):
        """An atlas' bins, every tissue, the first time the page colours by one of its tissues."""
        key = inputs.choice(key, data.atlases)
        if key is None:
            raise PreventUpdate
        if key not in atlas_bins:
            view = data.atlases[key]
            z = data.genes[[tissue_column(key, t) for t in view.tissues]].to_numpy(dtype=np.float64)
            atlas_bins[key] = figures.atlas_colours(z, view.tissues, view.z_limit)
        patch = Patch()
        patch["atlases"][key] = atlas_bins[key]
        return patch

    @app.callback(Output(ids.HOVER_TEXT, "data"), Input(ids.URL, "pathname"))
    def hover_text(_):
        return figures.hover_text(data.genes)

    @app.callback(Output(ids.LEGEND, "children"), Output(ids.ATLAS, "disabled"), Output(ids.TISSUE, "disabled"),
                  Input(ids.COLOR_MODE, "value"), Input(ids.ATLAS, "value"), Input(ids.TISSUE, "value"))
    def legend_for(mode, atlas, tissue):
        atlas = inputs.choice(atlas, data.atlases)
        view = data.atlases.get(atlas) if atlas else None
        if mode == "tissue" and view is not None and inputs.choice(tissue, view.tissues):
            return z_legend(view, tissue), False, False
        return legend(data), True, True


# --- selected gene: card and neighbours ---------------------------------------------------------

def _gene_panel(app: Dash, data: MapData) -> None:
    @app.callback(Output(ids.NEIGHBOURS, "data"), Output(ids.NEIGHBOURS, "tooltip_data"),
                  Output(ids.MAP, "figure", allow_duplicate=True),
                  Output(ids.DOWNLOAD_BUTTON, "disabled"), Output(ids.GENE_CARD, "children"),
                  Output(ids.SUPPORT_CAUTION, "children"),
                  Input(ids.GENE, "value"), Input(ids.K, "value"), prevent_initial_call="initial_duplicate")
    def select(gene, k):
        patch = Patch()
        symbol = _gene(data, gene)
        if symbol is None:
            if ctx.triggered_id is None:            # the page's first call: nothing drawn to clear
                return [], [], no_update, True, None, None
            for trace in (figures.NEIGHBOURS, figures.SELECTED):
                figures.overlay(patch, trace, data.genes, [])
            patch["data"][figures.SELECTED]["text"] = []
            return [], [], patch, True, None, None
        table = queries.neighbours(data, symbol, inputs.k(k)[0])
        rows = table["row"].to_numpy()
        me = data.row[symbol]
        g = data.genes
        figures.overlay(patch, figures.NEIGHBOURS, g, rows,
                        [f"{s} · cosine {v:.3f}" for s, v in zip(table["symbol"], table["similarity"])])
        figures.overlay(patch, figures.SELECTED, g, [me],
                        [f"{symbol} · {g.at[me, 'display_class']}<br>{str(g.at[me, 'description'])[:60]}"])
        patch["data"][figures.SELECTED]["text"] = [symbol]
        figures.set_ranges(patch, figures.view_around(g, [me, *rows[:30]]))
        tips = [{"symbol": {"value": f"{s} ({c}): {d}", "type": "text"}}
                for s, c, d in zip(table["symbol"], table["class"], table["description"])]
        return (table.drop(columns="row").to_dict("records"), tips, patch, False, gene_card(data, symbol),
                caution(data, symbol, "neighbours"))

    @app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
                  State(ids.GENE, "value"), State(ids.K, "value"), prevent_initial_call=True)
    def download(_, gene, k):
        symbol = _gene(data, gene)
        if symbol is None:
            raise PreventUpdate
        table = queries.neighbours(data, symbol, inputs.k(k)[0]).drop(columns="row")
        return dcc.send_data_frame(table.to_csv, f"{symbol}_neighbours.csv", index=False)


def gene_card(data: MapData, symbol: str) -> html.Div:
    c = queries.gene_card(data, symbol)
    facts = [("Entrez", c["entrez"]), ("Ensembl", c["ensembl"]), ("Type", c["type"]), ("Map class", c["class"]),
             ("Aliases", ", ".join(c["aliases"][:12])), ("Support", c["support"])]
    return html.Div([
        html.Div([html.Span(symbol, className="card-symbol"), html.Span(c["name"], className="card-name")]),
        html.Dl([part for k, v in facts if v for part in (html.Dt(k), html.Dd(v))], className="card-facts"),
        html.Div([html.A(name, href=url, target="_blank", rel="noopener noreferrer", className="card-link")
                  for name, url in c["links"]], className="card-links"),
    ])


def caution(data: MapData, symbol: str, what: str) -> html.Div | None:
    """A visible warning above the neighbours (or partners) of a gene that few contexts placed."""
    s = queries.support(data, symbol)
    if not s["low"]:
        return None
    return html.Div([html.Strong("Low support: "), f"{symbol} was placed by only {s['contexts']} co-expression "
                     f"contexts, so its {what} are {'mostly noise' if s['tier'] == 'very low' else 'a rough guide'}; "
                     "genes marked “low” or “very low” below are placed by as little."], className="caution",
                    role="alert")


# --- gene pair: the pair model --------------------------------------------------------------------

def _pair_panel(app: Dash, data: MapData) -> None:
    @lru_cache(maxsize=256)
    def top_partners(symbol: str) -> "pd.DataFrame":
        """The table and the map's rings of a gene's partners are two requests for the same top 10."""
        return queries.partners(data, symbol, 10)

    @app.callback(Output(ids.PAIR_RESULT, "children"), Input(ids.PAIR_A, "value"), Input(ids.PAIR_B, "value"))
    def predict(a, b):
        sa, sb = _gene(data, a), _gene(data, b)
        if data.predictor is None:
            return html.P("This bundle has no pair model.")
        if sa is None:
            return html.P("Choose a first gene to see its predicted partners.")
        meaning = html.P("P: the pair model's probability that the two genes share an experimentally supported "
                         "GO biological process, from their vectors alone (trained on GO pairs in which every "
                         "gene has as many negatives as positives, so popular genes are not favoured).",
                         className="note")
        warning = caution(data, sa, "predicted partners")
        if sb is None:
            return html.Div([warning, html.P(f"Top predicted partners of {sa}; choose a second gene for a pair."),
                             meaning])
        r = queries.pair(data, sa, sb)
        return html.Div([
            warning,
            html.Div([html.Span("P(interaction)", className="label"),
                      html.Span(f"{r['probability']:.3f}", id=ids.PAIR_PROBABILITY, className="value")]),
            html.Div([html.Span("cosine similarity", className="label"),
                      html.Span(f"{r['cosine']:.3f}", id=ids.PAIR_COSINE, className="value")]),
            html.P(f"{sb} is {_ordinal(r['rank_b_among_a'])} of {r['genes'] - 1:,} among {sa}'s predicted partners; "
                   f"{sa} is {_ordinal(r['rank_a_among_b'])} among {sb}'s.", className="note"),
            meaning,
        ])

    @app.callback(Output(ids.PARTNERS, "data"), Output(ids.PARTNERS, "tooltip_data"), Input(ids.PAIR_A, "value"))
    def partners(a):
        symbol = _gene(data, a)
        if symbol is None or data.predictor is None:
            return [], []
        table = top_partners(symbol)
        tips = [{"symbol": {"value": f"{s}: {d}", "type": "text"}}
                for s, d in zip(table["symbol"], table["description"])]
        return table.to_dict("records"), tips

    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.PAIR_A, "value"),
                  Input(ids.PAIR_B, "value"), Input(ids.SIDE_TABS, "value"), prevent_initial_call=True)
    def partners_on_map(a, b, tab):
        """While the Partners tab is shown: the first gene's predicted partners ringed, the pair
        labelled (the Gene tab's neighbours are hidden meanwhile, in the browser)."""
        if tab != ids.TAB_PAIR:
            raise PreventUpdate
        patch = Patch()
        symbol, second = _gene(data, a), _gene(data, b)
        figures.overlay(patch, figures.PAIR, data.genes, [data.row[s] for s in (symbol, second) if s])
        patch["data"][figures.PAIR]["text"] = [s for s in (symbol, second) if s]
        table = top_partners(symbol) if symbol and data.predictor is not None else None
        figures.overlay(patch, figures.PARTNERS, data.genes, [] if table is None else
                        [data.row[s] for s in table["symbol"]], None if table is None else
                        [f"{s} · partner {r} of {symbol}, P {p:.3f}"
                         for s, r, p in zip(table["symbol"], table["rank"], table["probability"])])
        return patch


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


# --- gene lists: selection or pasted, enrichment ----------------------------------------------------

# In the browser, a map selection becomes the symbols of the map's own points (an overlay's points sit
# on the same genes): a few bytes a gene to the server, not plotly's ~200 (coordinates, hover text, colour).
SELECTION_JS = """function (selected) {
    if (!selected || !Array.isArray(selected.points)) { return null; }
    return selected.points.filter(p => p.curveNumber === %d).map(p => p.customdata);
}""" % figures.MAP


def _gene_list(app: Dash, data: MapData) -> None:
    symbols = data.genes["symbol"].to_numpy(dtype=object)
    app.clientside_callback(SELECTION_JS, Output(ids.MAP_SELECTION, "data"), Input(ids.MAP, "selectedData"),
                            prevent_initial_call=True)

    @app.callback(Output(ids.LIST_GENES, "data"), Output(ids.LIST_SUMMARY, "children"), Output(ids.ENRICHMENT, "data"),
                  Output(ids.ENRICHMENT, "tooltip_data"), Output(ids.MAP, "figure", allow_duplicate=True),
                  Output(ids.LIST_ON_MAP, "data"), Output(ids.LIST_DOWNLOAD_BUTTON, "disabled"),
                  Output(ids.SIDE_TABS, "value"), Output(ids.LIST_TEXT, "value"),
                  Input(ids.MAP_SELECTION, "data"), Input(ids.LIST_BUTTON, "n_clicks"),
                  Input(ids.LIST_CLEAR, "n_clicks"), State(ids.LIST_TEXT, "value"), State(ids.LIST_ON_MAP, "data"),
                  State(ids.SIDE_TABS, "value"), prevent_initial_call=True)
    def gene_list(selection, _, __, text, drawn, tab):
        """A map selection is already marked by plotly (the rest dimmed): only a pasted list is drawn
        on the list overlay, and the overlay is cleared only when it holds genes (each is a redraw)."""
        patch = Patch() if drawn else no_update
        if drawn:
            figures.overlay(patch, figures.LIST, data.genes, [])
        trigger = ctx.triggered_id
        to_tab = ids.TAB_LIST if tab != ids.TAB_LIST else no_update
        selected, cut = inputs.symbols(selection)
        if trigger == ids.LIST_CLEAR or (trigger == ids.MAP_SELECTION and selected is None):
            return [], "", [], [], patch, False, True, no_update, "" if trigger == ids.LIST_CLEAR else no_update
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
            return ([], html.Div([html.P(origin), *[html.P(n) for n in notes]]), [], [], patch, on_map, True, to_tab,
                    no_update)
        table = enrichment(data.sets, rows, symbols)
        shown = table.assign(p=table["p"].map("{:.1e}".format), FDR=table["FDR"].map("{:.1e}".format),
                             **{"in list": [f"{k} of {n}" for k, n in zip(table["overlap"], table["set size"])]})
        tips = [{"gene set": {"value": f"{r['gene set']} ({r['source']}): {r['genes']}", "type": "text"}}
                for r in table.to_dict("records")]
        summary = html.Div([
            html.P([html.Strong(origin), f" · tested against {len(data.sets):,} gene sets of 5–500 map genes "
                    "(one-sided Fisher exact test, the map's genes as background, Benjamini–Hochberg FDR)"]),
            *[html.P(n, className="note") for n in notes],
            html.P("No set shares 2 or more genes with this list." if table.empty else
                   "Hover a gene set for its genes in the list; Export gives every column.", className="note"),
        ])
        return (symbols[rows].tolist(), summary, shown.to_dict("records"), tips, patch, on_map, False, to_tab,
                no_update)

    @app.callback(Output(ids.LIST_DOWNLOAD, "data"), Input(ids.LIST_DOWNLOAD_BUTTON, "n_clicks"),
                  State(ids.LIST_GENES, "data"), prevent_initial_call=True)
    def download(_, genes):
        genes = inputs.symbols(genes)[0]
        if not genes:
            raise PreventUpdate
        rows = [data.row[g] for g in genes if g in data.row]
        table = data.genes.iloc[rows][["symbol", "entrez", "display_class", "description", "x", "y"]]
        return dcc.send_data_frame(table.to_csv, "gene_list.csv", index=False)


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


# --- a gene set on the map ----------------------------------------------------------------------------

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


def _support_view(app: Dash, data: MapData) -> None:
    low = queries.low_support(data.genes)

    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.SUPPORT_VIEW, "value"),
                  prevent_initial_call=True)
    def support_view(mode):
        patch = Patch()
        figures.show_support(patch, data.genes, low, inputs.choice(mode, SUPPORT_VIEWS) or "show")
        return patch


def _whole_map(app: Dash, data: MapData) -> None:
    @app.callback(Output(ids.MAP, "figure", allow_duplicate=True), Input(ids.WHOLE_MAP, "n_clicks"),
                  prevent_initial_call=True)
    def whole(_):
        patch = Patch()
        figures.set_ranges(patch, figures.whole_map(data.genes))
        return patch


# --- two embeddings side by side ------------------------------------------------------------------

def _compare_panel(app: Dash, data: MapData, others: dict[str, MapData]) -> None:
    here = data.bundle.path.name

    @app.callback(Output(ids.COMPARE_SUMMARY, "children"), Output(ids.COMPARE_A, "data"),
                  Output(ids.COMPARE_A, "columns"), Output(ids.COMPARE_B, "data"), Output(ids.COMPARE_B, "columns"),
                  Output(ids.COMPARE_B_TITLE, "children"),
                  Input(ids.GENE, "value"), Input(ids.K, "value"), Input(ids.COMPARE, "value"))
    def compare(gene, k, other):
        name = inputs.choice(other, others) or next(iter(others))

        def columns(where: str) -> list[dict]:
            return [{"name": n, "id": i} for n, i in (("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"),
                                                      (f"Rank in {where}", "other_rank"), ("Support", "support"))]

        symbol = _gene(data, gene)
        if symbol is None:
            return (html.P(f"Choose a gene to see its neighbours here ({here}) and in {name}."), [], columns(name),
                    [], columns(here), name)
        r = queries.compare(data, others[name], symbol, inputs.k(k)[0])
        shown = ["rank", "symbol", "similarity", "other_rank", "support"]
        if r["b"] is None:
            summary = html.P(f"{symbol} is not in {name}: it has no neighbours there.")
            return summary, r["a"][shown].to_dict("records"), columns(name), [], columns(here), name
        n = len(r["a"])
        summary = html.P([html.Strong(f"{r['shared']} of {n}"), f" of {symbol}'s nearest genes are the same in "
                          f"{here} and {name} (Jaccard {r['jaccard']:.2f}). “Rank in” says where each gene stands "
                          "among the gene's neighbours in the other embedding (– : not in it)."])
        return (summary, r["a"][shown].to_dict("records"), columns(name), r["b"][shown].to_dict("records"),
                columns(here), name)
