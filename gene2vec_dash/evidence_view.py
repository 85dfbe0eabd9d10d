"""The evidence shown beside a pair and on a gene card (as STRING shows the channels behind an edge):
the two genes' Pearson r in each data set of the compendium, and where a gene is measured and
expressed. The numbers come from :mod:`gene2vec_dash.evidence`; this module only words and draws them."""
from __future__ import annotations

import numpy as np
import pandas as pd
from dash import html

from gene2vec_dash import evidence, ids
from gene2vec_dash.queries import MapData

NO_EVIDENCE = "This bundle has no per-data-set evidence (it was built before the evidence stage)."


def context_threshold(data: MapData) -> float | None:
    """The build's r threshold for a co-expression context (the pairs the embedding was trained on)."""
    value = (data.bundle.manifest.get("config", {}).get("coexpression") or {}).get("threshold")
    return float(value) if isinstance(value, (int, float)) else None


def pair_summary(data: MapData, a: str, b: str, found) -> str:
    """One sentence: in how many data sets measuring both genes they are co-expressed; when
    co-expression cannot see their relation (no data set measures both, or none gives them an r
    above chance), :func:`gene2vec_dash.evidence.coexpression_note`."""
    note = found.attrs.get("note")
    rows = found[found["dataset"] != evidence.TF_LISTS]
    both = rows[rows["a_measured"] & rows["b_measured"]]
    if both.empty:
        return note or f"No data set of the compendium measures both {a} and {b}; the ARCHS4 TF lists pair them."
    cut = context_threshold(data)
    close = 0 if cut is None else int((both["r"] >= cut).sum())
    if close:
        return (f"Co-expressed (r ≥ {cut:g}, this build's threshold for a context) in {close} of the {len(both)} "
                f"data sets that measure both.")
    if note:
        return note
    above = int(both["above_chance"].fillna(False).sum())
    strongest = float(np.nanmax(both["r"])) if both["r"].notna().any() else float("nan")
    threshold = "" if cut is None else f", none at this build's context threshold r ≥ {cut:g}"
    return (f"r above chance in {above} of the {len(both)} data sets that measure both (largest r "
            f"{strongest:.2f}{threshold}).")


def pair_table(data: MapData, a: str, b: str) -> html.Div:
    """Each data set's r for the pair (bold at or above the context threshold), then the TF lists."""
    found = evidence.pair_evidence(data, a, b)
    if found.empty:
        return html.Div(html.P(NO_EVIDENCE, className="note"), id=ids.PAIR_EVIDENCE)
    cut = context_threshold(data)
    rows = []
    for r in found.itertuples(index=False):
        if r.dataset == evidence.TF_LISTS:
            value = f"listed (rank {r.tf_rank})" if r.in_tf_lists else "not listed"
        elif not (r.a_measured and r.b_measured):
            value = "not measured: " + " and ".join(g for g, m in ((a, r.a_measured), (b, r.b_measured)) if not m)
        else:
            value = f"r {r.r:.2f}"
        strong = cut is not None and r.dataset != evidence.TF_LISTS and not np.isnan(r.r) and r.r >= cut
        samples = "" if pd.isna(r.samples) else f"{int(r.samples)}"
        rows.append(html.Tr([html.Td(r.tissue or r.dataset, title=r.dataset), html.Td(samples, className="num"),
                             html.Td(html.B(value) if strong else value)]))
    return html.Div([
        html.P(pair_summary(data, a, b, found), className="note"),
        html.Table([html.Thead(html.Tr([html.Th("Data set"), html.Th("Samples"), html.Th(f"{a} · {b}")])),
                    html.Tbody(rows)], className="evidence"),
    ], id=ids.PAIR_EVIDENCE)


def neighbour_tips(data: MapData, symbol: str, others: list[str]) -> list[str | None]:
    """For each neighbour row, the co-expression behind it in one line (a hover over its cosine): its r
    with ``symbol`` in each data set that measures both, strongest first, and in how many it is above
    chance; None for every row when the bundle has no evidence."""
    found = evidence.rs_with(data, symbol, others)
    if found.shape[1] == 0:
        return [None] * len(others)
    chance = found.attrs["chance_r"]
    tips = []
    for other, r in zip(others, found.to_numpy()):
        both = np.flatnonzero(~np.isnan(r))
        if not len(both):
            tips.append(f"No data set of the compendium measures both {symbol} and {other}.")
            continue
        order = both[np.argsort(-r[both])]
        above = int((r[both] > chance[both]).sum())
        listed = "; ".join(f"{found.columns[d]} {r[d]:.2f}" for d in order)
        tips.append(f"{symbol} · {other}, Pearson r per data set: {listed}. Above chance in {above} of the "
                    f"{len(both)} data sets that measure both.")
    return tips


def expression_words(data: MapData, symbol: str, note: str | None) -> str | None:
    """For the gene card: in how many data sets the gene is measured and expressed, or ``note``
    (:func:`gene2vec_dash.evidence.expression_note`) when none expresses it (None when the bundle has
    no evidence)."""
    found = evidence.gene_expression(data, symbol)
    if found.empty:
        return None
    if note:
        return note
    where = found.loc[found["expressed"], "tissue"].tolist()
    measured = int(found["measured"].sum())
    if found["levels"].all():
        return f"expressed in {len(where)} of {len(found)} data sets ({'; '.join(where)}); measured in {measured}"
    unknown = found.loc[found["measured"] & ~found["levels"], "dataset"].tolist()
    centred = f"; its level unknown in {', '.join(unknown)} (centred per gene)" if unknown else ""
    return (f"expressed in {len(where)} of {int(found['levels'].sum())} data sets that keep expression levels "
            f"({'; '.join(where)}); measured in {measured} of {len(found)}{centred}")


def support_words(words: str, note: str | None) -> str:
    """Contexts counted in data sets that barely express the gene are no guide: INS has 145 of them
    and no pancreas in the compendium, so when there is a ``note`` the words say so instead of
    praising its neighbours."""
    if note is None:
        return words
    return f"{words.split(';')[0]}; but no data set here expresses it: read its neighbours with caution"
