"""Two embeddings side by side, on the genes they share: every quality figure of each measured on
the same genes, random genes and gene sets, and how far each gene's neighbours agree.

Neighbour agreement is the Jaccard index of a gene's k nearest genes (cosine) in one embedding and
in the other, both searched among the shared genes only: a gene placed by much evidence in both
tends to keep its neighbours; one placed by little gets a different list from each run.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from pipeline.config import ClusterednessConfig, NeighbourConfig
from pipeline.embedding import Embedding
from pipeline.evaluate import (
    clusteredness,
    coexpression_clusteredness,
    cosine_neighbours,
    fisher_z_similarity,
    membership,
    neighbour_precision,
    neighbour_report,
    query_rows,
)
from pipeline.support import TIERS

Datasets = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def shared_genes(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The genes in both, in ``a``'s order, with their rows in ``a`` and in ``b``."""
    where_b = {g: k for k, g in enumerate(b)}
    rows_a = np.array([k for k, g in enumerate(a) if g in where_b], dtype=np.int64)
    genes = np.asarray(a)[rows_a]
    return genes, rows_a, np.array([where_b[g] for g in genes], dtype=np.int64)


def jaccard(top_a: np.ndarray, top_b: np.ndarray) -> np.ndarray:
    """Row by row, |A ∩ B| / |A ∪ B| of two (genes, k) arrays of neighbour indices in one index."""
    inter = (top_a[:, :, None] == top_b[:, None, :]).sum(axis=(1, 2))
    return inter / (top_a.shape[1] + top_b.shape[1] - inter)


def neighbour_overlap(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Each gene's Jaccard index of its ``k`` nearest genes in ``a`` and in ``b`` (rows aligned:
    row i of both is the same gene)."""
    return jaccard(cosine_neighbours(a, k), cosine_neighbours(b, k))


def distribution(values: np.ndarray) -> dict:
    """Mean, quantiles and the shares with no and with most neighbours in common."""
    return {"genes": int(len(values)), "mean": round(float(values.mean()), 4),
            **{f"q{round(q * 100)}": round(float(np.quantile(values, q)), 4) for q in QUANTILES},
            "none_shared": round(float((values == 0).mean()), 4),
            "half_or_more": round(float((values >= 0.5).mean()), 4)}


def quality(genes: np.ndarray, vectors: np.ndarray, sets: dict[str, list[str]], files: dict[str, dict],
            clus: ClusterednessConfig, nb: NeighbourConfig) -> dict:
    """The build's quality figures (pathway-pair AUC, clusteredness, precision@k per gene-set file)
    of one embedding on these genes."""
    c = clusteredness(genes, vectors, sets, clus)
    return {"clusteredness": {k: c["cosine"][k] for k in ("pair_auc", "ratio", "within", "random")}
            | {"sets_used": c["sets_used"]},
            "neighbours": {name: neighbour_report(genes, vectors, s, nb, None, name)["embedding"]
                           for name, s in files.items()}}


def coexpression_quality(datasets: Datasets, genes: np.ndarray, sets: dict[str, list[str]],
                         files: dict[str, dict], clus: ClusterednessConfig, nb: NeighbourConfig) -> dict:
    """The raw co-expression's figures on the same genes, sets and query genes (a baseline both
    embeddings were learned from, or one of them was)."""
    def similarity(rows: np.ndarray) -> np.ndarray:
        return fisher_z_similarity(datasets(), genes, rows)

    neighbours = {}
    for name, s in files.items():
        members = membership(genes, s, nb.min_set_size, nb.max_set_size, name)
        rows = query_rows(members, nb.queries, nb.seed)
        neighbours[name] = neighbour_precision(similarity, members, rows, nb.k, nb.top_fraction)
    return {"pair_auc": coexpression_clusteredness(datasets(), genes, sets, clus)["pair_auc"],
            "neighbours": neighbours}


def compare(a: Embedding, b: Embedding, files: dict[str, dict[str, list[str]]],
            clus: ClusterednessConfig = ClusterednessConfig(), nb: NeighbourConfig = NeighbourConfig(),
            tiers: np.ndarray | None = None, datasets: Datasets | None = None) -> dict:
    """Both embeddings' figures on their shared genes, beside the raw co-expression of ``datasets``
    when given, and the per-gene neighbour overlap (by ``tiers``, each gene's support tier in
    ``a``, when known)."""
    genes, rows_a, rows_b = shared_genes(a.genes, b.genes)
    sets = {name: members for s in files.values() for name, members in s.items()}
    va, vb = a.vectors[rows_a], b.vectors[rows_b]
    overlap = neighbour_overlap(va, vb, nb.k)
    k = min(nb.k, len(genes) - 1)
    chance = k / (len(genes) - 1)
    out = {"genes": {"a": int(len(a.genes)), "b": int(len(b.genes)), "shared": int(len(genes))},
           "a": quality(genes, va, sets, files, clus, nb), "b": quality(genes, vb, sets, files, clus, nb),
           "overlap": {"k": k, **distribution(overlap), "random": round(chance / (2 - chance), 5)}}
    if datasets is not None:
        out["coexpression"] = coexpression_quality(datasets, genes, sets, files, clus, nb)
    if tiers is not None:
        t = np.asarray(tiers, dtype=object)[rows_a]
        out["overlap"]["by_support"] = {name: distribution(overlap[t == name])
                                        for name in [n for _, n, _ in TIERS] + ["unknown"] if (t == name).any()}
    return out
