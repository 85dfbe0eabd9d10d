"""How well an embedding says what a gene does: out-of-fold scores of every term for every gene
(:mod:`pipeline.functions`), graded as ARCHS4 grades them (gene-centric: for each gene with >= 5
known terms, the AUC of its known terms among all terms) and as EGAD does (term-centric: for each
term, the AUC of its members among the genes), each beside the baselines that could fake it:
the term-size prior (one ranking of terms for every gene), multifunctionality (genes ranked by how
many terms they have: the labels' own count, as EGAD ranks them, and that count learned from the
vectors out of fold), the raw co-expression of the compendium (the same neighbour vote over each
gene's most correlated genes, mean Pearson over the data sets), the same methods on random vectors
(alone, and with the profiles: the model without the embedding) and on the library shuffled across
genes; then per support tier, the top-10 precision of the predicted terms and the calibration error
of the probability."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from pipeline import functions as F
from pipeline.function_profiles import Profiles, summary_columns

METHODS = ("mean_cosine", "zscore", "hub", "z_logsize", "ridge", "knn", "zsmooth")
BEST = F.DEFAULT_METHOD


def ranking_auc(scores: np.ndarray, known: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The AUC of the known entries among all along ``axis`` (ties averaged), and their number."""
    ranks = rankdata(scores, axis=axis)
    positives = known.sum(axis=axis)
    negatives = known.shape[axis] - positives
    hits = (ranks * known).sum(axis=axis) - positives * (positives + 1) / 2
    return hits / np.maximum(positives * negatives, 1), positives


def coexpression_neighbours(profiles: list[np.ndarray], rows: np.ndarray, k: int = 50, block: int = 1024
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Each gene's ``k`` most co-expressed genes in the compendium itself: Pearson r summed over the
    data sets (``profiles[d]``: unit, centred rows; ``rows[d, g]``: gene g's row there, -1 when not
    measured) over the number of data sets measuring the gene, by blocks (never genes x genes)."""
    n = rows.shape[1]
    k = min(k, n - 1)
    measured = [np.flatnonzero(r >= 0) for r in rows]
    count = np.maximum((rows >= 0).sum(axis=0), 1)
    idx, sim = np.empty((n, k), np.int64), np.empty((n, k), np.float32)
    for start in range(0, n, block):
        part = np.arange(start, min(n, start + block))
        r = np.zeros((len(part), n), np.float32)
        for p, where, have in zip(profiles, rows, measured):
            mine = np.flatnonzero(where[part] >= 0)
            if len(mine):
                r[np.ix_(mine, have)] += p[where[part[mine]]].astype(np.float32) @ p[where[have]].astype(np.float32).T
        r /= count[part, None]
        r[np.arange(len(part)), part] = -np.inf
        top = np.argpartition(-r, k - 1, axis=1)[:, :k]
        idx[part], sim[part] = top, np.take_along_axis(r, top, axis=1)
    return idx, sim


def out_of_fold_scores(vectors: np.ndarray, near: tuple[np.ndarray, np.ndarray], members, rows: np.ndarray,
                       folds: int = F.FOLDS, seed: int = 0, raw: tuple[np.ndarray, np.ndarray] | None = None,
                       block: int = 1024, profiles: dict[str, Profiles] | None = None) -> dict[str, np.ndarray]:
    """Every method's score of ``rows`` x terms and the default method's probability, each gene
    scored by models of the other folds only (its own memberships never score it), in blocks;
    ``near``: the vectors' :func:`~pipeline.functions.neighbours` (found once for every library and
    the shuffled labels); ``raw``: :func:`coexpression_neighbours`, voted on as one more method;
    ``profiles``: :func:`pipeline.function_table.profile_groups`, for the combined model (and each
    group's mean and ridge features on their own)."""
    p = F.fit_predictor(vectors, members, near, folds=folds, seed=seed, method=BEST, block=block, profiles=profiles)
    names = ((*METHODS, "degree", BEST, "probability") + (("coexpression",) if raw is not None else ())
             + tuple(c for g in (profiles or {}) for c, in summary_columns(g) if not c.endswith("_max")))
    out = {m: np.zeros((len(rows), members.shape[1]), np.float32) for m in names}
    for _, part in F.blocks(rows, p.folds, block):
        found = p.features(part)
        found[BEST], found["probability"] = p.combine(part, found)
        if raw is not None:
            found["coexpression"] = F.knn_vote(part, *raw, p.members, p.folds, p.annotated)
        where = np.searchsorted(rows, part)
        for m in out:
            out[m][where] = found[m]
    return out


def _mean(values: np.ndarray) -> float:
    """A mean that is NaN, silently, when nothing was graded (a small library)."""
    return round(float(values.mean()), 4) if len(values) else float("nan")


def calibration_error(probability: np.ndarray, known: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |mean probability - member rate| over equal-width probability
    bins, weighted by the pairs in each."""
    which = np.minimum((probability * bins).astype(int), bins - 1).ravel()
    weight = np.bincount(which, minlength=bins)
    gap = np.bincount(which, probability.ravel(), bins) - np.bincount(which, known.ravel().astype(float), bins)
    return round(float(np.abs(gap).sum() / max(weight.sum(), 1)), 5)


def top_precision(scores: np.ndarray, known: np.ndarray, k: int = 10) -> float:
    """Share of each gene's ``k`` best-scored terms that are known ones (genes scored out of fold)."""
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    return _mean(np.take_along_axis(known, top, axis=1).mean(axis=1))


def grade(scores: dict[str, np.ndarray], known: np.ndarray, sizes: np.ndarray, tiers: np.ndarray | None = None,
          min_terms: int = 5, min_members: int = 3) -> dict:
    """Gene-centric and term-centric AUC of each method, and of the size prior (gene-centric) and
    multifunctionality (term-centric): the rankings that need no similarity at all; the best
    method's figures per support tier, its top-10 precision and its probability's calibration."""
    genes = known.sum(axis=1) >= min_terms
    terms = known.sum(axis=0) >= min_members
    out = {"genes_graded": int(genes.sum()), "terms_graded": int(terms.sum()), "gene_centric": {},
           "term_centric": {}}
    gene_auc = {}
    prior = np.broadcast_to(np.log(sizes).astype(np.float32), known.shape)
    for m, s in {**scores, "size_prior": prior}.items():
        if m not in ("degree", "probability"):
            gene_auc[m] = ranking_auc(s[genes], known[genes], 1)[0]
            out["gene_centric"][m] = _mean(gene_auc[m])
        if m not in ("probability", "size_prior"):
            out["term_centric"][m] = _mean(ranking_auc(s[:, terms], known[:, terms], 0)[0])
    out["term_centric"]["degree_learned"] = out["term_centric"].pop("degree")      # from the vectors, out of fold
    count = np.broadcast_to(known.sum(axis=1, keepdims=True).astype(np.float64), known.shape)
    out["term_centric"]["multifunctionality"] = _mean(ranking_auc(count[:, terms], known[:, terms], 0)[0])
    annotated = known.any(axis=1)
    out["top10_precision"] = {m: top_precision(s[annotated], known[annotated])
                              for m, s in {BEST: scores[BEST], "z_logsize": scores["z_logsize"],
                                           "size_prior": prior}.items()}
    out["calibration"] = {"ece": calibration_error(scores["probability"], known),
                          "mean_probability": round(float(scores["probability"].mean()), 5),
                          "member_rate": round(float(known.mean()), 5)}
    if tiers is not None:
        out["by_support"] = {str(t): {"genes": int((tiers[genes] == t).sum()),
                                      **{m: _mean(gene_auc[m][tiers[genes] == t])
                                         for m in (BEST, "z_logsize", "size_prior")}}
                             for t in np.unique(tiers[genes])}
    return out


def neighbour_table(vectors: np.ndarray, k: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Each gene's k nearest genes and their cosines (the neighbour vote's input)."""
    return F.neighbours(vectors, min(k, len(vectors) - 1))


def evaluate_library(genes: np.ndarray, vectors: np.ndarray, sets: dict[str, list[str]], min_size: int,
                     max_size: int, folds: int = F.FOLDS, sample: int = 3000, seed: int = 0,
                     near: tuple[np.ndarray, np.ndarray] | None = None,
                     raw: tuple[np.ndarray, np.ndarray] | None = None, support: np.ndarray | None = None,
                     profiles: dict[str, Profiles] | None = None, shuffles: int = 5) -> dict:
    """One gene-set library: the methods and baselines on a seeded sample of its annotated genes,
    then the same on random vectors of the same shape (without the profiles: the vectors' chance
    level; with them: the model without the embedding) and on the library shuffled across genes
    (``shuffles`` permutations: the term-centric AUC of one shuffle moves by +-0.03, its terms sharing
    the same genes, so one draw cannot tell a leak from chance; the first is graded in full);
    ``near``: :func:`neighbour_table` of ``vectors`` when the caller grades several libraries; ``raw``:
    :func:`coexpression_neighbours` and ``profiles``: :func:`pipeline.function_table.profile_groups`
    (empty: the vectors alone); ``support``: each gene's tier."""
    members, terms = F.membership(genes, sets, min_size, max_size)
    annotated = np.asarray(members.sum(axis=1)).ravel() > 0
    if len(terms) < 2 or annotated.sum() < 2 * folds:
        return {"terms": len(terms), "genes_annotated": int(annotated.sum()), "skipped": "too few terms or genes"}
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(np.flatnonzero(annotated), min(sample, int(annotated.sum())), replace=False))
    sizes = np.asarray(members.sum(axis=0)).ravel()
    known = members[rows].toarray() > 0
    near = near or neighbour_table(vectors)
    tiers = None if support is None else np.asarray(support, dtype=str)[rows]
    result = {"terms": len(terms), "genes_annotated": int(annotated.sum()), "genes_sampled": len(rows),
              **grade(out_of_fold_scores(vectors, near, members, rows, folds, seed, raw, profiles=profiles), known,
                      sizes, tiers)}
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    noise_near = neighbour_table(noise)
    result["random_vectors"] = grade(out_of_fold_scores(noise, noise_near, members, rows, folds, seed), known, sizes)
    if profiles:          # the same model without the embedding: what the data sets and atlases give alone
        result["profiles_alone"] = grade(out_of_fold_scores(noise, noise_near, members, rows, folds, seed,
                                                            profiles=profiles), known, sizes)
    graded = []
    for _ in range(shuffles):
        shuffled = members[rng.permutation(len(genes))]
        graded.append(grade(out_of_fold_scores(vectors, near, shuffled, rows, folds, seed, raw, profiles=profiles),
                            shuffled[rows].toarray() > 0, sizes))
    result["shuffled_labels"] = {**graded[0], "term_centric_each": [g["term_centric"][BEST] for g in graded]}
    return result
