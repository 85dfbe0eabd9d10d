"""What a gene does and which genes belong with a list, on the page: the Gene tab's "Predicted
functions" (a gene's top terms of one library, known ones marked, each term's supporting neighbours,
a click outlines the term's genes on the map) and the Gene list tab's "Genes that belong with this
list" (the candidates, with the list's own AUROC in words). The answers are
:mod:`gene2vec_dash.functions`'; this module says them."""
from __future__ import annotations

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from gene2vec_dash import genebox, ids, inputs
from gene2vec_dash.caution import caution
from gene2vec_dash.functions import CARRIERS, candidates, gene_functions, tissue_support
from gene2vec_dash.queries import MapData, support
from gene2vec_dash.tables import LOW_ROWS, LOW_STYLE, SUPPORT_TIP, table
from pipeline.bundle import FUNCTIONS

SHOWN = 10              # terms shown for a gene
POORLY = 5              # a gene with fewer annotations in a library is poorly annotated: its predicted terms first
CANDIDATES = 20         # genes shown for a list
WEAK_LIST = 0.6         # a list's AUROC under this: the embedding sees it as nearly random
LABELS = (("go", "GO BP"), ("reactome", "Reactome"), ("wikipathways", "WikiPathways"), ("kegg", "KEGG"))
SCORE_TIP = "Mean cosine to the list's genes less the gene's mean cosine to every gene (hub genes discounted)"


def libraries(data: MapData) -> list[str]:
    """The libraries the build predicted functions for, GO BP first, as the manifest names them (the
    table itself is read on first use); none for a bundle without them."""
    if not (data.bundle.path / FUNCTIONS).is_file():
        return []
    names = list(data.bundle.manifest.get("functions", {}).get("libraries", {}))
    return sorted(names, key=lambda n: not n.lower().startswith("go"))


def probability_words(data: MapData) -> str:
    """What P means, with the folds the build held genes out in (its manifest's)."""
    folds = data.bundle.manifest.get("functions", {}).get("folds")
    return ("P: how often a prediction this strong was a known member, measured on genes held out "
            f"({f'{folds}-fold ' if folds else ''}cross-validation). A predicted term may still be true: the "
            "annotations are incomplete.")


def label(library: str) -> str:
    """A library's readable name: "reactome_msigdb" -> "Reactome"."""
    return next((words for key, words in LABELS if library.lower().startswith(key)), library.replace("_", " "))


def section(data: MapData) -> list:
    """The Gene tab's "Predicted functions" (nothing for a bundle without them), hidden until a gene."""
    found = libraries(data)
    if not found:
        return []
    meaning = probability_words(data)
    return [html.Div([
        html.Div([html.H3("Predicted functions"),
                  dcc.RadioItems(id=ids.FUNCTION_LIBRARY, value=found[0], inline=True, className="function-library",
                                 options=[{"label": label(n), "value": n} for n in found])], className="row"),
        html.Div(id=ids.FUNCTION_CAUTION),
        html.Div(id=ids.FUNCTION_NOTE, className="note"),
        table(ids.FUNCTIONS, [("Term", "term"), ("P", "percent"), ("", "status")], [66, 12, 22],
              tooltip_duration=None, sort_action="none", style_table={"overflowX": "hidden"},
              tooltip_header={"percent": meaning}, style_data_conditional=_styles(None)),
        html.Div([html.Span(id=ids.FUNCTION_TERM),
                  html.Button("Remove outline", id=ids.FUNCTION_CLEAR, className="button", style={"display": "none"})],
                 className="function-term"),
        html.P([meaning, " Hover a term for the neighbours that carry it; click it to outline its "
                "genes on the map."], className="note"),
    ], id=ids.FUNCTION_SECTION, className="functions", style={"display": "none"})]


def terms(data: MapData, symbol: str, library: str) -> tuple[pd.DataFrame, int]:
    """The gene's top terms as shown (a poorly annotated gene's predicted ones first) and how many
    terms of the library list the gene at all."""
    found = gene_functions(data, symbol, library, SHOWN)
    annotated = _annotations(data, symbol, str(found["library"].iat[0]) if len(found) else library)
    if annotated < POORLY:
        found = found.sort_values("known", kind="stable").reset_index(drop=True)
    return found, annotated


def _annotations(data: MapData, symbol: str, library: str) -> int:
    sets, row = data.sets, data.row[symbol]
    where = np.flatnonzero(sets.members.indices == row)
    owners = np.searchsorted(sets.members.indptr, where, side="right") - 1
    return int((sets.source[owners] == library).sum())


def note(symbol: str, library: str, found: pd.DataFrame, annotated: int) -> str:
    """One line: how many terms shown are known, and a poorly annotated gene said as such."""
    name, known = label(library), int(found["known"].sum())
    if not annotated:
        return f"{symbol} has no {name} annotation here: every term below is predicted."
    if annotated < POORLY:
        return (f"{symbol} has only {annotated} {name} annotation{'s' * (annotated > 1)} here, {known or 'none'} "
                "among these: the predicted terms come first.")
    if not known:
        return f"None of these {len(found)} is among {symbol}'s {annotated} {name} annotations: all are predicted."
    if known == len(found):
        return f"All {known} of these are among {symbol}'s {annotated} {name} annotations."
    return (f"{known} of these {len(found)} {'is' if known == 1 else 'are'} among {symbol}'s {annotated} "
            f"{name} annotations; the others are predicted.")


def across_tissues(found: list[tuple[str, float, float]]) -> str:
    """:func:`~gene2vec_dash.functions.tissue_support` in words: r with the term's genes per atlas."""
    if not found:
        return "No tissue atlas scores it beside enough of the term's genes."
    return "Across tissues, its r with the term's genes: " + "; ".join(
        f"{name} {r:.2f} ({_above(share)})" for name, r, share in found) + "."


def _above(share: float) -> str:
    return "above every other gene" if share >= 1 else f"above {int(share * 100)}% of other genes"


def read_too(data: MapData) -> str:
    """What the bundle's predictions read beside the vectors, in words ("" for the vectors alone)."""
    groups = data.bundle.manifest.get("functions", {}).get("profiles", {})
    words = (("expression", "the data sets"), ("tissue", "the tissue atlases"))
    return " and ".join(w for g, w in words if g in groups)


def carried(symbol: str, neighbours: list[str], also: str = "") -> str:
    """Which of the gene's nearest genes carry a term: the evidence a prediction rests on; ``also``:
    :func:`read_too`, what else the score came from."""
    if not neighbours:
        return (f"none of {symbol}'s {CARRIERS} nearest genes carries it: the score comes from genes further away"
                + (f" and from its co-expression with the term's genes within {also}" if also else ""))
    shown = ", ".join(neighbours[:12]) + (", …" if len(neighbours) > 12 else "")
    return f"supported by {len(neighbours)} of {symbol}'s {CARRIERS} nearest genes: {shown}"


def _percent(p: float) -> str:
    return "<1%" if p < 0.005 else f"{p:.0%}"


def _styles(outlined: int | None) -> list:
    marked = [{"if": {"filter_query": '{status} = "known"', "column_id": "status"}, "color": "#1a7f37",
               "fontWeight": 600},
              {"if": {"column_id": "term"}, "whiteSpace": "normal", "overflowWrap": "anywhere", "lineHeight": "1.25"}]
    return marked + ([{"if": {"row_index": outlined}, "backgroundColor": "#fdecec"}] if outlined is not None else [])


def register_functions(app: Dash, data: MapData) -> None:
    """The gene's terms (refilled when the gene, the library or the set on the map changes) and a
    term's click, which shows that term on the map as the Gene list tab's chosen gene set."""
    if not libraries(data):
        return

    @app.callback(Output(ids.FUNCTION_SECTION, "style"), Output(ids.FUNCTIONS, "data"),
                  Output(ids.FUNCTIONS, "tooltip_data"), Output(ids.FUNCTIONS, "style_data"),
                  Output(ids.FUNCTIONS, "style_data_conditional"), Output(ids.FUNCTION_NOTE, "children"),
                  Output(ids.FUNCTION_CAUTION, "children"), Output(ids.FUNCTION_TERM, "children"),
                  Output(ids.FUNCTION_CLEAR, "style"),
                  Input(ids.GENE, "value"), Input(ids.FUNCTION_LIBRARY, "value"), Input(ids.PATHWAY, "value"))
    def fill(gene, library, pathway):
        symbol, library = genebox.gene(data, gene), inputs.choice(library, libraries(data))
        if symbol is None or library is None:
            return {"display": "none"}, [], [], {}, _styles(None), "", None, "", {"display": "none"}
        found, annotated = terms(data, symbol, library)
        k = inputs.index(pathway, len(data.sets))
        at = [i for i, s in enumerate(found["set"]) if k is not None and data.sets.index_of(s) == k]
        shown = (_outlined(data, symbol, found, at[0]) if at else
                 f"Outlined on the map: {data.sets.name[k]} ({data.sets.sizes[k]:,} genes)" if k is not None else "")
        clear = {"display": "inline-block" if k is not None else "none"}
        if ctx.triggered_id == ids.PATHWAY:
            return (no_update,) * 4 + (_styles(at[0] if at else None), no_update, no_update, shown, clear)
        rows = [{"term": t, "percent": _percent(p), "status": "known" if kn else "predicted"}
                for t, p, kn in zip(found["term"], found["probability"], found["known"])]
        places = [data.sets.index_of(str(x)) for x in found["set"]]
        tissues = [across_tissues(tissue_support(data, symbol, data.sets.rows_of(s)) if s is not None else [])
                   for s in places]
        also = read_too(data)
        tips = [{"term": {"value": f"{t}{f' ({i})' if i else ''}: {carried(symbol, n, also)}. {w}", "type": "text"},
                 "status": {"value": f"{label(library)} lists {symbol} in this term" if kn else
                            f"not listed for {symbol}: predicted from its neighbours"
                            + (f" and its co-expression in {also}" if also else ""), "type": "text"}}
                for t, i, n, kn, w in zip(found["term"], found["id"], found["neighbours"], found["known"], tissues)]
        low = support(data, symbol)["low"]
        return ({"display": "block"}, rows, tips, LOW_STYLE if low else {}, _styles(at[0] if at else None),
                note(symbol, library, found, annotated), caution(data, symbol, "predicted functions", rows=False),
                shown, clear)

    @app.callback(Output(ids.PATHWAY, "value", allow_duplicate=True), Output(ids.FUNCTIONS, "active_cell"),
                  Input(ids.FUNCTIONS, "active_cell"), Input(ids.FUNCTION_CLEAR, "n_clicks"),
                  State(ids.GENE, "value"), State(ids.FUNCTION_LIBRARY, "value"), prevent_initial_call=True)
    def outline(cell, _, gene, library):
        """A term clicked: its genes on the map (the cell let go, so that a second click on it counts)."""
        if ctx.triggered_id == ids.FUNCTION_CLEAR:
            return None, no_update
        symbol, library = genebox.gene(data, gene), inputs.choice(library, libraries(data))
        row = cell.get("row") if isinstance(cell, dict) else None
        if symbol is None or library is None or inputs.index(row, SHOWN) is None:
            raise PreventUpdate
        found = terms(data, symbol, library)[0]
        if row >= len(found):
            raise PreventUpdate
        return data.sets.index_of(str(found["set"].iat[row])), None


def _outlined(data: MapData, symbol: str, found: pd.DataFrame, at: int) -> str:
    term, k = found.iloc[at], data.sets.index_of(str(found["set"].iat[at]))
    said = carried(symbol, list(term["neighbours"]), read_too(data))
    return (f"Outlined in red on the map: {term['term']} ({data.sets.sizes[k]:,} genes), {said}"
            + ("" if said.endswith("…") else "."))


def candidate_section() -> html.Div:
    """The Gene list tab's "Genes that belong with this list", hidden while there is no list."""
    return html.Div([
        html.H3("Genes that belong with this list"),
        html.Div(id=ids.CANDIDATE_SUMMARY, className="note", role="status"),
        table(ids.CANDIDATES, [("#", "rank"), ("Gene", "symbol"), ("Score", "score"), ("Support", "support"),
                               ("Description", "description")], [10, 30, 14, 20, 26], tooltip_duration=None,
              sort_action="none",
              style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP, "score": SCORE_TIP}),
    ], id=ids.CANDIDATE_SECTION, style={"display": "none"})


def coherence(auroc: float | None, genes: int) -> str:
    """The list's own cross-validated AUROC in words: whether its candidates are worth reading."""
    if auroc is None:
        return (f"{genes} gene{'s' * (genes > 1)}: too few to measure how well the map holds the list together "
                "(3 are needed). The genes nearest to it:")
    if auroc < WEAK_LIST:
        return (f"{auroc:.2f}: the embedding sees this list as nearly random (0.5 is chance), so the genes "
                "below are weak candidates.")
    return (f"{auroc:.2f}: held-out genes of the list rank above {auroc:.0%} of the other genes (5-fold). "
            "The genes most like the list, hub genes discounted (click one to make it the gene):")


def register_candidates(app: Dash, data: MapData) -> None:
    """The candidates of the current list, after the list's own answer (a callback of their own, so
    the selection's enrichment is not kept waiting)."""

    @app.callback(Output(ids.CANDIDATE_SECTION, "style"), Output(ids.CANDIDATE_SUMMARY, "children"),
                  Output(ids.CANDIDATES, "data"), Output(ids.CANDIDATES, "tooltip_data"),
                  Input(ids.LIST_GENES, "data"), prevent_initial_call=True)
    def belong(genes):
        names = inputs.symbols(genes)[0] or []
        rows = np.array(sorted({data.row[g] for g in names if g in data.row}), dtype=np.int64)
        if not len(rows) or len(rows) >= len(data.genes) - 1:
            return {"display": "none"}, "", [], []
        found = candidates(data, rows, CANDIDATES)
        tips = [{"symbol": {"value": f"{s} ({c}): {d}", "type": "text"}}
                for s, c, d in zip(found["symbol"], found["class"], found["description"])]
        words = [html.Strong("List coherence "), coherence(found.attrs["auroc"], found.attrs["genes"])]
        rows = found.drop(columns="class").assign(score=found["score"].map("{:.3f}".format)).to_dict("records")
        return {"display": "block"}, words, rows, tips
