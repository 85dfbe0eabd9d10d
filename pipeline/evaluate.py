"""Embedding quality without labels the embedding saw: clusteredness of known pathways.

Clusteredness (paper): mean within-pathway similarity over pathways of 2..50 genes, divided by
the mean similarity of all pairs among 1,000 random genes. The authors' code used cosine
similarity, the paper's formula the inner product; both are reported.
"""
from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd

from pipeline.config import ClusterednessConfig
from pipeline.errors import InputError
from pipeline.layout import unit_rows


def mean_pairwise(vectors: np.ndarray) -> float:
    """Mean inner product over all pairs i != j, in O(n d): (|sum v|^2 - sum |v|^2) / (n (n - 1))."""
    n = len(vectors)
    total = vectors.sum(axis=0, dtype=np.float64)
    return float((total @ total - np.einsum("ij,ij->", vectors, vectors, dtype=np.float64)) / (n * (n - 1)))


def set_indices(genes: np.ndarray, gene_sets: dict[str, list[str]], config: ClusterednessConfig
                ) -> dict[str, np.ndarray]:
    """Each set's genes that have a vector, kept if min_set_size <= size <= max_set_size."""
    index = {g: k for k, g in enumerate(genes)}
    out = {}
    for name, members in gene_sets.items():
        rows = np.array(sorted({index[g] for g in members if g in index}), dtype=np.int64)
        if config.min_set_size <= len(rows) <= config.max_set_size:
            out[name] = rows
    return out


def clusteredness(genes: np.ndarray, vectors: np.ndarray, gene_sets: dict[str, list[str]],
                  config: ClusterednessConfig = ClusterednessConfig()) -> dict:
    """Cosine and inner-product clusteredness, with the pieces of each ratio."""
    sets = set_indices(np.asarray(genes), gene_sets, config)
    if not sets:
        raise InputError(f"no gene set has {config.min_set_size}-{config.max_set_size} genes with a vector")
    if len(genes) < 2:
        raise InputError("fewer than 2 genes with a vector")
    x = np.asarray(vectors, dtype=np.float32)
    unit = unit_rows(x)
    rng = np.random.default_rng(config.seed)
    background = rng.choice(len(genes), size=min(config.random_genes, len(genes)), replace=False)
    result: dict = {"sets_used": len(sets), "sets_total": len(gene_sets),
                    "genes_in_sets": int(len(np.unique(np.concatenate(list(sets.values()))))),
                    "random_genes": int(len(background)), "config": asdict(config)}
    for label, m in (("cosine", unit), ("inner_product", x)):
        within = float(np.mean([mean_pairwise(m[rows]) for rows in sets.values()]))
        random = mean_pairwise(m[background])
        result[label] = {"within": within, "random": random, "ratio": within / random if random else float("nan")}
    return result


# --- neighbours -------------------------------------------------------------------------------

def cosine_neighbours(vectors: np.ndarray, k: int, rows: np.ndarray | None = None, block: int = 2048) -> np.ndarray:
    """The ``k`` most cosine-similar genes of each of ``rows`` (default: every gene), most similar
    first, a gene never its own neighbour. Blocks of query rows against all genes: memory stays
    ``block x genes``, never genes x genes."""
    unit = unit_rows(vectors)
    rows = np.arange(len(unit)) if rows is None else np.asarray(rows)
    k = min(k, len(unit) - 1)
    out = np.empty((len(rows), k), dtype=np.int64)
    for start in range(0, len(rows), block):
        q = rows[start:start + block]
        sims = unit[q] @ unit.T
        sims[np.arange(len(q)), q] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
        out[start:start + len(q)] = np.take_along_axis(top, order, axis=1)
    return out


def map_neighbours(xy: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` nearest genes of every gene on the 2-D map (Euclidean), itself excluded."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(xy) - 1)
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(xy).kneighbors(xy)
    own = idx == np.arange(len(xy))[:, None]
    keep = ~own
    keep[own.sum(axis=1) == 0, -1] = False          # ties put the gene itself outside the k + 1
    return idx[keep].reshape(len(xy), k)


def member_fraction(neighbours: np.ndarray, members: np.ndarray) -> float:
    """Mean fraction of the members' neighbours that are members too (``members``: row indices)."""
    inside = np.zeros(len(neighbours), dtype=bool)
    inside[members] = True
    return float(inside[neighbours[members]].mean())


def tissue_patterns(z: pd.DataFrame, map_nn: np.ndarray, embedding_nn: np.ndarray, specific_z: float = 2.0,
                    min_genes: int = 10, draws: int = 20, seed: int = 0) -> dict[str, dict]:
    """Do a tissue's specific genes (z >= ``specific_z``) gather, on the map and in the embedding?

    For each tissue: the mean fraction of a specific gene's k nearest genes that are specific too,
    beside the same figure for random genes of matched number (drawn from the genes the atlas
    scores, ``draws`` times); ``*_ratio`` is observed / random (1: no pattern). ``z`` rows are
    aligned with the neighbour arrays' rows."""
    rng = np.random.default_rng(seed)
    values = z.to_numpy(dtype=np.float64)
    scored = np.flatnonzero(np.isfinite(values).any(axis=1))
    out = {}
    for j, tissue in enumerate(z.columns):
        members = np.flatnonzero(values[:, j] >= specific_z)
        if len(members) < min_genes:
            out[tissue] = {"specific_genes": int(len(members))}
            continue
        random_sets = [rng.choice(scored, size=len(members), replace=False) for _ in range(draws)]
        row = {"specific_genes": int(len(members))}
        for name, nn in (("map", map_nn), ("embedding", embedding_nn)):
            observed = member_fraction(nn, members)
            expected = float(np.mean([member_fraction(nn, r) for r in random_sets]))
            row.update({name: round(observed, 4), f"{name}_random": round(expected, 4),
                        f"{name}_ratio": round(observed / expected, 2) if expected else None})
        out[tissue] = row
    return out
