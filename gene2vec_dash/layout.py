"""The page: map with its colour controls on the left, gene / pair panels on the right, and what
built the map in a panel below. Component ids come from :mod:`gene2vec_dash.ids`."""
from __future__ import annotations

from dash import dash_table, dcc, html

from gene2vec_dash import figures, ids
from gene2vec_dash.queries import AtlasView, MapData, low_support
from pipeline.support import LOW, LOW_BELOW, tier_bounds

TABLE_STYLE = dict(
    style_table={"overflowY": "auto", "overflowX": "hidden", "maxHeight": "calc(100vh - 360px)", "minHeight": "120px"},
    style_cell={"fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', "fontSize": 13,
                "padding": "3px 6px", "textAlign": "left", "whiteSpace": "nowrap", "overflow": "hidden",
                "textOverflow": "ellipsis", "maxWidth": 220},
    style_header={"fontWeight": 600, "backgroundColor": "#f2f4f7"},
    page_action="none", sort_action="native",
)


def legend(data: MapData) -> list:
    return [html.Span([html.Span(className="swatch", style={"background": colour}), f"{name} ({count:,})"],
                      className="legend-item") for name, colour, count in figures.class_legend(data.genes)]


def z_legend(atlas: AtlasView, tissue: str) -> list:
    """Which atlas and tissue, the scale's ends, and whether the tissue's specific genes gather."""
    pattern = atlas.patterns.get(tissue, {})
    gather = (f"Its {pattern['specific_genes']:,} specific genes (z ≥ 2) have {pattern['map_ratio']:.1f}× "
              "as many specific map neighbours as random genes" if pattern.get("map_ratio") else
              f"{pattern.get('specific_genes', 0):,} specific genes (z ≥ 2)" if pattern else "")
    return [html.Span(f"{tissue} · {atlas.name}", className="legend-title"),
            html.Span(f"specificity z ≤ -{atlas.z_limit:g}", className="legend-end"),
            html.Span(className="z-bar"),
            html.Span(f"≥ +{atlas.z_limit:g}", className="legend-end"),
            html.Span([html.Span(className="swatch", style={"background": figures.NO_DATA}),
                       f"no score: below 1 {atlas.unit or 'TPM'} in every tissue, or not measured"],
                      className="legend-item"),
            html.Span(gather, className="legend-note")]


def _metric(node, *path: str):
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _fmt(value, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) else "–"


METHOD_NAMES = {"skipgram-pairs": "skip-gram over co-expressed pairs (the paper's)",
                "skipgram-walks": "skip-gram over random walks of the co-expression graph",
                "ppmi-svd": "PPMI + truncated SVD of the pair counts",
                "skipgram+ppmi": "skip-gram beside PPMI-SVD of the same pairs"}
SET_WORDS = {"reactome": "Reactome", "msigdb": "(MSigDB)", "wikipathways": "WikiPathways", "go": "GO", "bp": "BP",
             "c2": "MSigDB c2", "kegg": "KEGG"}


def set_name(file: str) -> str:
    """A gene-set file as a reader names it: "reactome_msigdb.gmt.gz" -> "Reactome (MSigDB)"."""
    stem = file.split("/")[-1].removesuffix(".gz").removesuffix(".gmt")
    return " ".join(SET_WORDS.get(w.lower(), w) for w in stem.replace("-", "_").split("_") if w)


def built_on(stamp: str) -> str:
    """An ISO time as a date a reader reads ("2 December 2026, 17:26 UTC")."""
    from datetime import datetime

    try:
        t = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp or "–"
    return f"{t.day} {t:%B %Y, %H:%M} {t.tzname() or ''}".strip()


def _embedding_words(emb: dict | None) -> tuple[str, str]:
    if not emb:
        return "imported", "vectors made elsewhere (import-embedding); the figures below are measured on them"
    post = [w for w, on in (("centred", emb.get("centre")),
                            (f"top {emb.get('remove_top')} principal direction removed", emb.get("remove_top"))) if on]
    method = emb.get("method", "skipgram-pairs")
    return (f"{METHOD_NAMES.get(method, method)}, {emb['dims']} dims",
            f"{emb['epochs']} epochs, window {emb['window']}, min_count {emb['min_count']}, seed {emb['seed']}"
            + (f"; skip-gram vectors {' and '.join(post)}" if post else ""))


def about(data: MapData, others: dict[str, MapData] | None = None) -> list:
    """What data and settings built this map, and what each figure means, from the manifest: the
    scale-free pathway-pair AUC first, each figure beside what could fake it; with ``others``, the
    compared embeddings' figures beside this one's."""
    m = data.bundle.manifest
    cfg, metrics = m.get("config", {}), m.get("metrics", {})
    co = cfg.get("coexpression", {})
    rule = (f"each gene's {co['top_k']} most correlated partners with Pearson r ≥ {co['threshold']} in each data set"
            if co.get("top_k") else f"pairs with Pearson r ≥ {co.get('threshold')} in each data set") if co else "–"
    clus = _metric(metrics, "clusteredness", "cosine") or {}
    raw_auc = _metric(metrics, "clusteredness", "coexpression", "pair_auc")
    plain = metrics.get("without_postprocessing") or {}
    method, settings = _embedding_words(cfg.get("embedding"))
    plain_auc = _metric(plain, "clusteredness", "pair_auc")
    rows = [
        ("Pathway-pair AUC", _fmt(clus.get("pair_auc")),
         "how often two genes of one pathway (sets of ≤ 50 genes) are more similar than two random genes; 0.5 is "
         "chance" + (f", the raw co-expression it was learned from gives {_fmt(raw_auc)}" if raw_auc is not None
                     else "") + (f", the vectors before post-processing {_fmt(plain_auc)}"
                                 if plain_auc is not None else "")),
        ("Clusteredness", _fmt(clus.get("ratio"), 2),
         f"the paper's form (paper: 1.52): mean cosine within a pathway ({_fmt(clus.get('within'))}) over that of "
         f"random pairs ({_fmt(clus.get('random'))}). It grows as random pairs' cosine falls towards 0, so it measures "
         "how anisotropic the vectors are as much as how tight pathways are: compare the AUC above"),
        ("Genes on the map", f"{len(data.genes):,}", ""),
        ("Contexts", f"{_metric(m, 'counts', 'pairs') or 0:,} pairs", rule + (
            "; plus the ARCHS4 TF co-expression lists" if cfg.get("archs4_pairs") else "") +
            (f" (preset “{cfg['preset']}”)" if cfg.get("preset") else "")),
        ("Embedding", method, settings),
    ]
    for name, report in (metrics.get("neighbours") or {}).items():
        e = report["embedding"]
        co_p = _metric(report, "coexpression", "precision")
        before = _metric(plain, "neighbours", name, "precision")
        rows.append((f"Neighbours, {set_name(name)}", _fmt(e["precision"]),
                     f"share of a gene's {report['k']} nearest genes that share a gene set with it; random genes "
                     f"{_fmt(e['random'])}" + (f", raw co-expression {_fmt(co_p)}" if co_p is not None else "")
                     + (f", before post-processing {_fmt(before)}" if before is not None else "")))
    pairs = metrics.get("pairs")
    if pairs:
        calibration = _metric(pairs, "pair_model", "calibration") or {}
        rows.append(("Pair model AUC", _fmt(pairs["pair_model"]["auc"]),
                     "GO pairs of unseen genes, each gene with as many negatives as positives; scoring each "
                     f"gene alone gives {_fmt(_metric(pairs, 'additive', 'auc'))}, cosine "
                     f"{_fmt(_metric(pairs, 'cosine', 'auc'))}" + (
                         f". P is calibrated on valid: on test, predicted and observed rates differ by "
                         f"{_fmt(calibration['ece'])} on average (ECE; {_fmt(calibration['ece_before'])} before)"
                         if "ece" in calibration else "")))
    frozen = _metric(metrics, "ggipnn", "gene2vec_frozen", "test_auc")
    if frozen is not None:
        rows.append(("GGIPNN test AUC", _fmt(frozen), "the paper's model and protocol (paper: 0.720); "
                     f"scoring each gene alone: {_fmt(_metric(metrics, 'ggipnn', 'baselines', 'additive', 'auc'))}"))
    rows += [("Map 10-NN kept", _fmt(_metric(metrics, "layout", "neighbourhood_preservation_10nn")),
              "share of a gene's 10 nearest genes in the embedding that are also among its 10 nearest on the map"),
             ("Built", built_on(m.get("created", "")), "")]
    datasets = [html.Li(f"{d['name']}: {d['samples']} samples, {d['genes']:,} genes, {d['pairs']:,} pairs")
                for d in m.get("inputs", [])]
    datasets += [html.Li(f"{e['name']}: {e['pairs']:,} pairs") for e in m.get("extra_pairs", [])]
    return [
        html.Div([html.Div([html.Div([html.Span(k, className="fact-name"), html.Span(v, className="fact-value")],
                                     className="fact-head"), html.Div(note, className="note")], className="fact")
                  for k, v, note in rows], className="facts"),
        *_compared(data, others or {}),
        *_tiers(metrics.get("support") or {}),
        *_patterns(data),
        html.H4("Data sets"),
        html.Ul(datasets or [html.Li("imported embedding")], className="datasets"),
        html.P("GO, pathways and tissue atlases never feed the embedding: they only grade it and colour it.",
               className="note"),
    ]


def headline(m: dict) -> dict[str, str]:
    """One embedding's figures as the comparison table shows them, from its manifest."""
    metrics, emb = m.get("metrics", {}), m.get("config", {}).get("embedding")
    out = {"Genes": f"{_metric(m, 'counts', 'genes_embedded') or 0:,}",
           "Embedding": _embedding_words(emb)[0],
           "Pathway-pair AUC": _fmt(_metric(metrics, "clusteredness", "cosine", "pair_auc")),
           "Clusteredness": _fmt(_metric(metrics, "clusteredness", "cosine", "ratio"), 2)}
    for name, report in (metrics.get("neighbours") or {}).items():
        out[f"Neighbours, {set_name(name)}"] = (f"{_fmt(report['embedding']['precision'])} "
                                                f"(random {_fmt(report['embedding']['random'])})")
    out["Pair model AUC"] = _fmt(_metric(metrics, "pairs", "pair_model", "auc"))
    out["GGIPNN test AUC"] = _fmt(_metric(metrics, "ggipnn", "gene2vec_frozen", "test_auc"))
    out["Map 10-NN kept"] = _fmt(_metric(metrics, "layout", "neighbourhood_preservation_10nn"))
    out["Built"] = built_on(m.get("created", ""))
    return out


def _compared(data: MapData, others: dict[str, MapData]) -> list:
    """This map's figures and each compared embedding's, a column each."""
    if not others:
        return []
    columns = {data.bundle.path.name + " (this map)": headline(data.bundle.manifest),
               **{name: headline(o.bundle.manifest) for name, o in others.items()}}
    labels = list(dict.fromkeys(label for figures in columns.values() for label in figures))
    return [html.H4("Compared embeddings"),
            html.P("Each as its own build measured it: on its own genes, random genes and seed, so a figure moves "
                   "by the seed alone (two seeds of the demo build: pair model AUC 0.624 and 0.651). On the same "
                   "genes and samples, with the raw co-expression beside them: python -m pipeline evaluate compare "
                   "A B.", className="note"),
            html.Table([html.Tr([html.Th(""), *[html.Th(name) for name in columns]]),
                        *[html.Tr([html.Td(label), *[html.Td(f.get(label, "–")) for f in columns.values()]])
                          for label in labels]], className="tiers compared")]


def _tiers(support: dict) -> list:
    """Neighbour precision by support tier, beside each tier's own random expectation (genes seen
    in few pairs also belong to fewer gene sets)."""
    if not support:
        return []
    files = list(support)
    first = support[files[0]]
    head = [html.Th("Support"), html.Th("Contexts"), html.Th("Genes"), html.Th("Cone")]
    head += [html.Th(f"{set_name(f)} p@10 (random)") for f in files]
    bounds = tier_bounds()
    body = [html.Tr([html.Td(t), html.Td(bounds.get(t, "")), html.Td(f"{first[t]['genes']:,}"),
                     html.Td(_fmt(first[t]["cone"], 2)),
                     *[html.Td(f"{_fmt(support[f][t].get('precision'))} ({_fmt(support[f][t].get('random'))})")
                       for f in files]]) for t in first]
    return [html.H4("Support: how much co-expression placed each gene"),
            html.P("Neighbour precision (share of the 10 nearest genes that share a gene set) by the gene's number "
                   "of contexts, beside random genes of the same tier. Cone: median cosine of the tier's genes to "
                   "the mean direction of all genes (near 1: they are each other's neighbours whatever their "
                   "biology). Low-support genes are marked in the tables and can be faded or hidden on the map.",
                   className="note"),
            html.Table([html.Tr(head), *body], className="tiers")]


def _patterns(data: MapData) -> list:
    """The paper's claim, per tissue of the first atlas: do its specific genes gather?"""
    atlas = next(iter(data.atlases.values()), None)
    ranked = sorted(((t, p) for t, p in (atlas.patterns if atlas else {}).items() if p.get("map_ratio") is not None),
                    key=lambda tp: -tp[1]["map_ratio"])
    if not ranked:
        return []
    top = max(p["map_ratio"] for _, p in ranked)
    bars = [part for t, p in ranked for part in (
        html.Span(t, className="bar-label"),
        html.Span(html.Span(className="bar-fill", style={"width": f"{100 * p['map_ratio'] / top:.1f}%"}),
                  className="bar-track", title=f"{t}: {p['specific_genes']:,} specific genes (z ≥ 2)"),
        html.Span(f"{p['map_ratio']:.1f}×", className="bar-value"))]
    return [html.H4(f"Tissue patterns ({atlas.name})"),
            html.P("For each tissue, its specific genes (z ≥ 2) have this many times as many specific genes among "
                   "their 10 nearest on the map as random genes of the same number (1× = no pattern):",
                   className="note"),
            html.Div(bars, className="bars patterns", role="img",
                     **{"aria-label": "; ".join(f"{t} {p['map_ratio']:.1f}×" for t, p in ranked)})]


def _support_control(data: MapData) -> list:
    """Show, fade or hide the genes few contexts placed (disabled when the bundle does not know)."""
    n_low = len(low_support(data.genes))
    return [html.Div([
        html.Label("Low-support genes", htmlFor=ids.SUPPORT_VIEW,
                   title=f"{n_low:,} genes placed by fewer than {LOW_BELOW} co-expression contexts"),
        dcc.RadioItems(id=ids.SUPPORT_VIEW, value="show", inline=True, className="support-view",
                       options=[{"label": v, "value": v, "disabled": not n_low} for v in ("show", "fade", "hide")]),
    ], className="support-control")]


def gene_dropdown(id_: str, placeholder: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=[], value=None, placeholder=placeholder, searchable=True,
                        clearable=True, className="gene-dropdown")


# rows of genes that few contexts placed: greyed, their support word in the caution colour
LOW_ROWS = [{"if": {"filter_query": " || ".join(f'{{support}} = "{t}"' for t in LOW)}, "color": "#7b8590",
             "fontStyle": "italic"},
            {"if": {"filter_query": " || ".join(f'{{support}} = "{t}"' for t in LOW), "column_id": "support"},
             "color": "#a4260f", "fontWeight": 600}]
SUPPORT_TIP = ("How much co-expression placed the gene: "
               + ", ".join(f"{tier} {bound}" + (" contexts" if k == 0 else "")
                           for k, (tier, bound) in enumerate(tier_bounds().items()))
               + ". Neighbours of low-support genes are a rough guide at best.")


def _table(id_: str, columns: list[tuple[str, str]], widths: list[int], **extra) -> dash_table.DataTable:
    """A table that fits the side panel at any width: fixed layout, each shown column a share of the
    panel (``widths``, percent, for the first columns), long text cut with an ellipsis."""
    sized = [{"if": {"column_id": i}, "width": f"{w}%", "minWidth": f"{w}%", "maxWidth": f"{w}%"}
             for (_, i), w in zip(columns, widths)]
    css = [{"selector": "table", "rule": "table-layout: fixed; width: 100% !important"}, *extra.pop("css", [])]
    return dash_table.DataTable(id=id_, data=[], columns=[{"name": n, "id": i} for n, i in columns],
                                **{**TABLE_STYLE, "style_cell_conditional": sized, "css": css, **extra})


def gene_tab() -> dcc.Tab:
    return dcc.Tab(label="Gene", value=ids.TAB_GENE, children=[
        gene_dropdown(ids.GENE, "Search a gene symbol, alias or Entrez id…"),
        html.Div(id=ids.GENE_MESSAGE, className="message", role="status"),
        html.Div(id=ids.GENE_CARD, className="gene-card"),
        html.Div(id=ids.SUPPORT_CAUTION),
        html.Div([
            html.Label("Neighbours", htmlFor=ids.K),
            dcc.Input(id=ids.K, type="number", step=1, value=15, debounce=True),
            html.Span(id=ids.K_MESSAGE, className="message inline", role="status"),
            html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, className="button"),
            dcc.Download(id=ids.DOWNLOAD),
        ], className="row"),
        # five columns fit the panel at 1280 px; each gene's class and whole name are its row's tooltip
        _table(ids.NEIGHBOURS, [("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"), ("Support", "support"),
                              ("Description", "description")], [8, 18, 15, 19, 40], tooltip_duration=None,
               style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP}),
    ], className="tab", selected_className="tab-selected")


def partners_tab() -> dcc.Tab:
    return dcc.Tab(label="Partners", value=ids.TAB_PAIR, children=[
        html.Div([gene_dropdown(ids.PAIR_A, "First gene"), gene_dropdown(ids.PAIR_B, "Second gene")],
                 className="pair-inputs"),
        html.Div(id=ids.PAIR_RESULT, className="pair-result", role="status"),
        # six short columns fit the panel at 1280 px; each partner's name is its row's tooltip
        _table(ids.PARTNERS, [("#", "rank"), ("Partner", "symbol"), ("P", "probability"),
                            ("Recip.", "reciprocal"), ("Support", "support"), ("Class", "class")],
               [7, 19, 12, 13, 19, 30], style_data_conditional=LOW_ROWS, tooltip_duration=None,
               style_cell={**TABLE_STYLE["style_cell"], "padding": "3px 4px"},
               tooltip_header={"reciprocal": "Reciprocal rank: where the first gene stands among this partner's "
                                             "own predicted partners (1 = its best): a specific partner ranks it "
                                             "near the top, a generic one far down.", "support": SUPPORT_TIP}),
    ], className="tab", selected_className="tab-selected")


def list_tab() -> dcc.Tab:
    return dcc.Tab(label="Gene list", value=ids.TAB_LIST, children=[
        html.P("Select genes on the map (box or lasso in the map's toolbar), or paste a list:", className="note"),
        dcc.Textarea(id=ids.LIST_TEXT, placeholder="Symbols, aliases or Entrez ids, separated by anything",
                     className="list-text"),
        html.Div([html.Button("Test this list", id=ids.LIST_BUTTON, className="button primary"),
                  html.Button("Clear", id=ids.LIST_CLEAR, className="button"),
                  html.Button("Download genes", id=ids.LIST_DOWNLOAD_BUTTON, className="button", disabled=True),
                  dcc.Download(id=ids.LIST_DOWNLOAD)], className="row"),
        html.Div(id=ids.LIST_SUMMARY, className="list-summary", role="status"),
        dcc.Store(id=ids.LIST_GENES, data=[]),
        dcc.Store(id=ids.MAP_SELECTION), dcc.Store(id=ids.LIST_ON_MAP, data=False),
        _table(ids.ENRICHMENT, [("Gene set", "gene set"), ("In list", "in list"), ("Fold", "fold"), ("p", "p"),
                              ("FDR", "FDR"), ("Source", "source"), ("Set size", "set size"),
                              ("Overlap", "overlap"), ("Expected", "expected"), ("Genes", "genes")],
               [37, 19, 11, 16, 17],
               export_format="csv", export_columns="all", tooltip_duration=None,
               hidden_columns=["source", "set size", "overlap", "expected", "genes"],
               css=[{"selector": ".show-hide", "rule": "display: none"}]),
        html.H3("Show a gene set on the map"),
        dcc.Dropdown(id=ids.PATHWAY, options=[], value=None, searchable=True, clearable=True,
                     placeholder="Type words of a GO term or pathway name…", className="pathway-dropdown"),
        html.Div(id=ids.PATHWAY_SUMMARY, className="note", role="status"),
    ], className="tab", selected_className="tab-selected")


def compare_tab(data: MapData, others: dict[str, MapData]) -> dcc.Tab:
    """A gene's neighbours here and in another embedding, each with its genes' rank in the other."""
    here, first = data.bundle.path.name, next(iter(others))
    columns = [("#", "rank"), ("Gene", "symbol"), ("Cosine", "similarity"), ("Rank in", "other_rank"),
               ("Support", "support")]
    widths = [9, 25, 20, 22, 24]
    half = {**TABLE_STYLE["style_table"], "maxHeight": "calc(50vh - 190px)"}      # both lists in view
    return dcc.Tab(label="Compare", value=ids.TAB_COMPARE, children=[
        html.Div([html.Label("Compare with", htmlFor=ids.COMPARE),
                  dcc.Dropdown(id=ids.COMPARE, options=list(others), value=first, clearable=False,
                               className="compare-dropdown")], className="row"),
        html.Div(id=ids.COMPARE_SUMMARY, className="note", role="status"),
        html.H4(f"Neighbours in {here} (this map)"),
        _table(ids.COMPARE_A, columns, widths, style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP},
               style_table=half),
        html.H4(["Neighbours in ", html.Span(first, id=ids.COMPARE_B_TITLE)]),
        _table(ids.COMPARE_B, columns, widths, style_data_conditional=LOW_ROWS, tooltip_header={"support": SUPPORT_TIP},
               style_table=half),
    ], className="tab", selected_className="tab-selected")


def page(data: MapData, others: dict[str, MapData] | None = None) -> html.Div:
    """The whole page; ``others``: the embeddings it is compared with (a Compare tab, an About table)."""
    others = others or {}
    first = next(iter(data.atlases.values()), None)
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        # no comparison: the URL's compare control still exists, empty and out of sight
        *([] if others else [html.Div(dcc.Dropdown(id=ids.COMPARE, options=[], value=None),
                                      style={"display": "none"})]),
        html.Header([
            html.H1("gene2vec map"),
            html.Span(f"{len(data.genes):,} genes embedded from co-expression · click a gene, search one, or "
                      "select a region", className="subtitle"),
        ]),
        html.Main([
            html.Section([
                html.Div([
                    html.Label("Colour by", htmlFor=ids.COLOR_MODE),
                    dcc.RadioItems(id=ids.COLOR_MODE, value="class", inline=True, options=[
                        {"label": "gene class", "value": "class"},
                        {"label": "tissue specificity", "value": "tissue", "disabled": first is None}]),
                    dcc.Dropdown(id=ids.ATLAS, value=first.key if first else None, clearable=False, disabled=True,
                                 options=[{"label": f"{a.name} ({len(a.tissues)})", "value": a.key}
                                          for a in data.atlases.values()], className="atlas-dropdown"),
                    dcc.Dropdown(id=ids.TISSUE, options=first.tissues if first else [],
                                 value=first.tissues[0] if first else None, clearable=False, searchable=True,
                                 disabled=True, placeholder="Tissue…", className="tissue-dropdown"),
                    html.Button("Whole map", id=ids.WHOLE_MAP, className="button",
                                title="Reset the view to every gene"),
                    *_support_control(data),
                    html.Div(id=ids.COLOUR_MESSAGE, className="message", role="status"),
                ], className="controls"),
                html.Div(legend(data), id=ids.LEGEND, className="legend"),
                dcc.Store(id=ids.COLOURS, data={"class": figures.class_colours(data.genes), "atlases": {}}),
                dcc.Store(id=ids.ATLAS_REQUEST), dcc.Store(id=ids.HOVER_TEXT),
                dcc.Graph(id=ids.MAP, figure=figures.map_figure(data.genes),
                          # Plotly's own reset returns to the first view it drew (a shared link's gene):
                          # "Whole map" is the reset; no upload to Plotly's cloud
                          config={"scrollZoom": True, "displaylogo": False, "doubleClick": False,
                                  "showSendToCloud": False, "showEditInChartStudio": False,
                                  "modeBarButtonsToRemove": ["sendDataToCloud", "toImage", "autoScale2d",
                                                             "resetScale2d"]},
                          responsive=True, className="map"),
            ], className="map-column"),
            html.Aside([
                dcc.Tabs(id=ids.SIDE_TABS, value=ids.TAB_GENE, className="tabs", children=[
                    gene_tab(), partners_tab(), list_tab(), *([compare_tab(data, others)] if others else []),
                    dcc.Tab(label="About", value=ids.TAB_ABOUT, children=about(data, others), id=ids.BUNDLE_PANEL,
                            className="tab", selected_className="tab-selected"),
                ]),

            ], className="side-column"),
        ]),
    ], className="app")
