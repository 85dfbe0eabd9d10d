"""The About tab: which data sets and settings built the map, and what each quality figure means,
beside the baselines that could fake it; with compared embeddings, their figures beside this one's."""
from __future__ import annotations

from dash import html

from gene2vec_dash import ids
from gene2vec_dash.panel import Panel
from gene2vec_dash.queries import MapData
from pipeline.evaluate import share_interval
from pipeline.support import tier_bounds

MIN_QUERIES = 30          # a support row's p@10 over fewer query genes is not shown (its interval spans ~0.2)
MIN_SPECIFIC = 30         # a tissue with fewer specific genes is left out of the patterns


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
            html.P("Each as its own build measured it (its manifest): on its own genes, random genes and seed, so "
                   "a figure moves by the seed alone. On the same genes and samples, with the raw co-expression "
                   "beside them: python -m pipeline evaluate compare A B.", className="note"),
            html.Table([html.Tr([html.Th(""), *[html.Th(name) for name in columns]]),
                        *[html.Tr([html.Td(label), *[html.Td(f.get(label, "–")) for f in columns.values()]])
                          for label in labels]], className="tiers compared")]


def _precision_cell(row: dict) -> html.Td:
    """p@10 with its 95% interval and the number of query genes behind it; too few queries: not shown."""
    n, p = int(row.get("queries") or 0), row.get("precision")
    if p is None or n < MIN_QUERIES:
        return html.Td(f"– ({n} query genes: too few)", className="too-few")
    lo, hi = share_interval(p, n)
    return html.Td([f"{_fmt(p)} ({_fmt(row.get('random'))})",
                    html.Span(f"{_fmt(lo)}–{_fmt(hi)}, {n:,} genes", className="interval")])


def _tiers(support: dict) -> list:
    """Neighbour precision by support tier, beside each tier's own random expectation (genes seen
    in few pairs also belong to fewer gene sets), with its interval and number of query genes."""
    if not support:
        return []
    files = list(support)
    first = support[files[0]]
    head = [html.Th("Support"), html.Th("Contexts"), html.Th("Genes"), html.Th("Cone")]
    head += [html.Th(f"{set_name(f)} p@10 (random)") for f in files]
    bounds = tier_bounds()
    body = [html.Tr([html.Td(t), html.Td(bounds.get(t, "")), html.Td(f"{first[t]['genes']:,}"),
                     html.Td(_fmt(first[t]["cone"], 2)), *[_precision_cell(support[f][t]) for f in files]])
            for t in first]
    return [html.H4("Support: how much co-expression placed each gene"),
            html.P("Neighbour precision (share of the 10 nearest genes that share a gene set) by the gene's number "
                   "of contexts, beside random genes of the same tier; under it, its 95% interval (Wilson, one trial "
                   "per query gene: the wide side) and how many query genes of the tier belong to a set of that file "
                   f"(a row with fewer than {MIN_QUERIES} is not shown). Tiers whose intervals overlap do not differ. "
                   "Cone: median cosine of the tier's genes to the mean direction of all genes (near 1: they are each "
                   "other's neighbours whatever their biology). Low-support genes are marked in the tables and can "
                   "be faded or hidden on the map.", className="note"),
            html.Table([html.Tr(head), *body], className="tiers")]


def pattern_rows(patterns: dict) -> tuple[list[tuple[str, dict, float, float]], list[tuple[str, int]]]:
    """(tissue, figures, low, high of the map ratio's 95% interval) for the tissues with at least
    MIN_SPECIFIC specific genes, by the interval's low end (a ratio from few genes cannot lead), and
    (tissue, specific genes) for those left out."""
    shown, left = [], []
    for tissue, p in patterns.items():
        n, ratio, expected = int(p.get("specific_genes") or 0), p.get("map_ratio"), p.get("map_random")
        if ratio is None or not expected or n < MIN_SPECIFIC:
            left.append((tissue, n))
            continue
        lo, hi = share_interval(p["map"], n)
        shown.append((tissue, p, lo / expected, hi / expected))
    return sorted(shown, key=lambda row: (-row[2], row[0])), sorted(left, key=lambda tn: (-tn[1], tn[0]))


def _patterns(data: MapData) -> list:
    """The paper's claim, per tissue of the first atlas: do its specific genes gather?"""
    atlas = next(iter(data.atlases.values()), None)
    ranked, left = pattern_rows(atlas.patterns if atlas else {})
    if not ranked:
        return []
    top = max(hi for *_, hi in ranked)
    bars = [part for t, p, lo, hi in ranked for part in (
        html.Span([t, html.Span(f" {p['specific_genes']:,} genes", className="bar-count")], className="bar-label"),
        html.Span(html.Span(className="bar-fill", style={"width": f"{100 * p['map_ratio'] / top:.1f}%"}),
                  className="bar-track", title=f"{t}: {p['specific_genes']:,} specific genes (z ≥ 2); "
                                               f"95% interval {lo:.1f}–{hi:.1f}×"),
        html.Span(f"{p['map_ratio']:.1f}× ({lo:.1f}–{hi:.1f})", className="bar-value"))]
    out = "; ".join(f"{t} ({n})" for t, n in left)
    return [html.H4(f"Tissue patterns ({atlas.name})"),
            html.P("For each tissue, its specific genes (z ≥ 2) have this many times as many specific genes among "
                   "their 10 nearest on the map as random genes of the same number (1× = no pattern); in brackets "
                   "the 95% interval (Wilson over the tissue's specific genes), ordered by its low end, so that a "
                   f"ratio from few genes cannot lead. Tissues with at least {MIN_SPECIFIC} specific genes:",
                   className="note"),
            html.Div(bars, className="bars patterns", role="img",
                     **{"aria-label": "; ".join(f"{t} {p['map_ratio']:.1f}× from {p['specific_genes']} genes"
                                                for t, p, _, _ in ranked)}),
            *([html.P(f"Left out, fewer than {MIN_SPECIFIC} specific genes (their number): {out}.",
                      className="note patterns-left-out")] if left else [])]


PANEL = Panel("About", ids.TAB_ABOUT, about, id=ids.BUNDLE_PANEL)     # the manifest read once: no callbacks
