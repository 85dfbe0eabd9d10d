"""Support: how much co-expression evidence stands behind a gene's vector.

A gene seen in a handful of pairs gets a vector placed by little, and its neighbours are mostly
noise; every figure over genes is therefore also given per support tier, beside that tier's own
random expectation (sparsely observed genes belong to fewer gene sets).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from pipeline.config import NeighbourConfig
from pipeline.evaluate import membership, neighbour_precision

# (lowest number of contexts, tier name, what it means for a reader of a gene's neighbours)
TIERS = ((100, "high", "its neighbours are the best this map has"),
         (30, "medium", "its neighbours are a fair guide"),
         (10, "low", "its neighbours are a rough guide at best"),
         (0, "very low", "its neighbours are mostly noise"))
LOW = ("low", "very low")
# A medium gene whose contexts all come from one source: on the nine-set demo its 10 nearest genes
# share a gene set no more often than random genes do (p@10 0.016 vs random 0.014 on Reactome, 32
# genes; 0.006 vs 0.007 on WikiPathways, 73; medium genes of 4 or more sources 0.051 and 0.047), so
# it is not "a fair guide". A high one-source gene (mostly TFs of the ARCHS4 lists) held up: 0.203, 0.074.
ONE_SOURCE = ("medium", "but all from one source: its neighbours are a rough guide at best")
LOW_BELOW = min(lowest for lowest, name, _ in TIERS if name not in LOW)   # contexts: under this, a gene is low


def meaning(tier: str, one_source: bool = False) -> str:
    """What a gene's tier means for a reader of its neighbours (:data:`ONE_SOURCE` for a medium gene
    whose contexts all come from one data set or list)."""
    if one_source and tier == ONE_SOURCE[0]:
        return ONE_SOURCE[1]
    return next(words for _, name, words in TIERS if name == tier)


def tier_bounds() -> dict[str, str]:
    """Each tier's range of contexts in words ("≥ 100", "30–99", …, "< 10"), from TIERS."""
    out, upper = {}, None
    for lowest, name, _ in TIERS:
        out[name] = f"≥ {lowest}" if upper is None else f"< {upper}" if lowest == 0 else f"{lowest}–{upper - 1}"
        upper = lowest
    return out


def tier(contexts: np.ndarray) -> np.ndarray:
    """Tier name of each gene ("unknown" where the number of contexts is not known)."""
    counts = np.asarray(contexts, dtype=float)
    out = np.full(len(counts), "unknown", dtype=object)
    for lowest, name, _ in reversed(TIERS):
        out[counts >= lowest] = name
    return out


def cone(vectors: np.ndarray, rows: np.ndarray) -> float:
    """Median cosine of the ``rows`` genes to the mean direction of all genes: near 1, they sit in
    one narrow cone and are each other's neighbours whatever their biology."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    mean = unit.mean(axis=0, dtype=np.float64)
    norm = np.linalg.norm(mean)
    return float(np.median(unit[rows] @ (mean / norm))) if norm > 1e-6 and len(rows) else float("nan")


def tier_report(genes: np.ndarray, vectors: np.ndarray, contexts: np.ndarray, gene_sets: dict[str, list[str]],
                config: NeighbourConfig = NeighbourConfig(),
                similarity: Callable[[np.ndarray], np.ndarray] | None = None, sets_file: str | None = None) -> dict:
    """Per tier: its genes, their cone, and neighbour precision of up to ``config.queries`` of its
    genes that are in a set, beside random genes of the same tier's set membership."""
    from pipeline.evaluate import cosine_similarity

    sets = membership(np.asarray(genes), gene_sets, config.min_set_size, config.max_set_size, sets_file)
    in_sets = np.asarray(sets.sum(axis=0)).ravel() > 0
    names = tier(contexts)
    similarity = similarity or cosine_similarity(vectors)
    out = {}
    for lowest, name, _ in TIERS:
        rows = np.flatnonzero(names == name)
        queries = rows[in_sets[rows]]
        if len(queries) > config.queries:
            queries = np.sort(np.random.default_rng(config.seed).choice(queries, config.queries, replace=False))
        out[name] = {"min_contexts": lowest, "genes": int(len(rows)), "cone": round(cone(vectors, rows), 4),
                     "queries": int(len(queries))}
        if len(queries):
            out[name].update(neighbour_precision(similarity, sets, queries, config.k, config.top_fraction))
    return out
