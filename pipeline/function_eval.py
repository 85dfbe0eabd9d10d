"""How well an embedding says what a gene does: out-of-fold scores of every term for every gene
(:mod:`pipeline.functions`), graded as ARCHS4 grades them (gene-centric: for each gene with >= 5
known terms, the AUC of its known terms among all terms) and as EGAD does (term-centric: for each
term, the AUC of its members among the genes), each beside the baselines that could fake it:
the term-size prior (one ranking of terms for every gene), multifunctionality (genes ranked by how
many terms they have: the labels' own count, as EGAD ranks them, and that count learned from the
vectors out of fold) and the same methods on random vectors."""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from pipeline import functions as F

METHODS = ("mean_cosine", "zscore", "hub", "z_logsize", "ridge", "knn")


def ranking_auc(scores: np.ndarray, known: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The AUC of the known entries among all along ``axis`` (ties averaged), and their number."""
    ranks = rankdata(scores, axis=axis)
    positives = known.sum(axis=axis)
    negatives = known.shape[axis] - positives
    hits = (ranks * known).sum(axis=axis) - positives * (positives + 1) / 2
    return hits / np.maximum(positives * negatives, 1), positives


def out_of_fold_scores(vectors: np.ndarray, near: tuple[np.ndarray, np.ndarray], members, rows: np.ndarray,
                       folds: np.ndarray, annotated: np.ndarray, block: int = 1024) -> dict[str, np.ndarray]:
    """Every method's score of ``rows`` x terms, each gene scored by models of the other folds only
    (its own memberships never score it), in blocks (never a genes x genes matrix); ``near``: the
    vectors' :func:`~pipeline.functions.neighbours`, which hang on the vectors alone (found once for
    every library and for the shuffled labels)."""
    u = F.unit(vectors)
    models = F.fit_folds(u, members, folds, annotated)
    idx, sim = near
    at = {g: i for i, g in enumerate(rows)}
    out = {m: np.zeros((len(rows), members.shape[1]), np.float32) for m in (*METHODS, "degree")}
    for f, part in F.blocks(rows, folds, block):
        found = F.features(u, part, models[f], F.knn_vote(part, idx, sim, members, folds, annotated))
        where = [at[g] for g in part]
        for m in out:
            out[m][where] = found[m]
    return out


def _mean(values: np.ndarray) -> float:
    """A mean that is NaN, silently, when nothing was graded (a small library)."""
    return round(float(values.mean()), 4) if len(values) else float("nan")


def grade(scores: dict[str, np.ndarray], known: np.ndarray, sizes: np.ndarray, min_terms: int = 5,
          min_members: int = 3) -> dict:
    """Gene-centric and term-centric AUC of each method, and of the size prior (gene-centric) and
    multifunctionality (term-centric): the rankings that need no similarity at all."""
    genes = known.sum(axis=1) >= min_terms
    terms = known.sum(axis=0) >= min_members
    out = {"genes_graded": int(genes.sum()), "terms_graded": int(terms.sum()), "gene_centric": {},
           "term_centric": {}}
    for m, s in scores.items():
        if m != "degree":
            out["gene_centric"][m] = _mean(ranking_auc(s[genes], known[genes], 1)[0])
        out["term_centric"][m] = _mean(ranking_auc(s[:, terms], known[:, terms], 0)[0])
    prior = np.broadcast_to(np.log(sizes), known.shape)
    out["gene_centric"]["size_prior"] = _mean(ranking_auc(prior[genes], known[genes], 1)[0])
    out["term_centric"]["degree_learned"] = out["term_centric"].pop("degree")      # from the vectors, out of fold
    count = np.broadcast_to(known.sum(axis=1, keepdims=True).astype(np.float64), known.shape)
    out["term_centric"]["multifunctionality"] = _mean(ranking_auc(count[:, terms], known[:, terms], 0)[0])
    return out


def neighbour_table(vectors: np.ndarray, k: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Each gene's k nearest genes and their cosines (the neighbour vote's input)."""
    return F.neighbours(vectors, min(k, len(vectors) - 1))


def evaluate_library(genes: np.ndarray, vectors: np.ndarray, sets: dict[str, list[str]], min_size: int,
                     max_size: int, folds: int = 5, sample: int = 3000, seed: int = 0,
                     near: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """One gene-set library: the methods and baselines on a seeded sample of its annotated genes,
    then the same on random vectors of the same shape and on the library shuffled across genes;
    ``near``: :func:`neighbour_table` of ``vectors`` when the caller grades several libraries."""
    members, terms = F.membership(genes, sets, min_size, max_size)
    annotated = np.asarray(members.sum(axis=1)).ravel() > 0
    if len(terms) < 2 or annotated.sum() < 2 * folds:
        return {"terms": len(terms), "genes_annotated": int(annotated.sum()), "skipped": "too few terms or genes"}
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(np.flatnonzero(annotated), min(sample, int(annotated.sum())), replace=False))
    fold = F.gene_folds(len(genes), folds, seed)
    sizes = np.asarray(members.sum(axis=0)).ravel()
    known = members[rows].toarray() > 0
    near = near or neighbour_table(vectors)
    result = {"terms": len(terms), "genes_annotated": int(annotated.sum()), "genes_sampled": len(rows),
              **grade(out_of_fold_scores(vectors, near, members, rows, fold, annotated), known, sizes)}
    noise = rng.standard_normal(vectors.shape).astype(np.float32)
    result["random_vectors"] = grade(out_of_fold_scores(noise, neighbour_table(noise), members, rows, fold, annotated),
                                       known, sizes)
    shuffled = members[rng.permutation(len(genes))]
    shuffled_annotated = np.asarray(shuffled.sum(axis=1)).ravel() > 0
    result["shuffled_labels"] = grade(out_of_fold_scores(vectors, near, shuffled, rows, fold, shuffled_annotated),
                                      shuffled[rows].toarray() > 0, sizes)
    return result
