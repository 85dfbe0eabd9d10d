"""Embedding quality without labels the embedding saw: clusteredness of known pathways.

Clusteredness (paper): mean within-pathway similarity over pathways of 2..50 genes, divided by
the mean similarity of all pairs among 1,000 random genes. The authors' code used cosine
similarity, the paper's formula the inner product; both are reported.
"""
from __future__ import annotations

from dataclasses import asdict

import numpy as np

from pipeline.config import ClusterednessConfig
from pipeline.errors import InputError


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
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    unit = x / np.where(norms == 0, 1, norms)
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
