"""Random walks over the weighted co-expression graph (node2vec's biased second-order walks,
Grover & Leskovec 2016), vectorised over all walkers at once: the contexts of ``skipgram-walks``.

A gene seen in few pairs gets, through walks, the neighbours of its neighbours as contexts, so
skip-gram has more to place it by than its handful of direct partners.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
from scipy import sparse


def walks(graph: sparse.csr_matrix, length: int, per_gene: int, p: float = 1.0, q: float = 1.0,
          seed: int = 0) -> Iterator[np.ndarray]:
    """``per_gene`` rounds of one walk from every gene with an edge: (walkers, length) int32 each.

    The next step is drawn by edge weight; with p, q != 1 it is then kept with node2vec's
    probability (1/p back to the previous gene, 1 to a gene next to it, 1/q further away) by
    rejection sampling, so no per-edge transition table is ever built."""
    graph = graph.tocsr()
    graph.sort_indices()
    n = graph.shape[0]
    cumulative = np.cumsum(graph.data, dtype=np.float64)
    start = np.concatenate([[0.0], cumulative])[graph.indptr[:-1]]
    total = np.asarray(graph.sum(axis=1)).ravel()
    edges = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr)) * n + graph.indices
    biased = p != 1.0 or q != 1.0
    top = max(1 / p, 1.0, 1 / q)
    rng = np.random.default_rng(seed)
    origins = np.flatnonzero(total > 0)

    def step(current: np.ndarray) -> np.ndarray:
        draw = start[current] + rng.random(len(current)) * total[current]
        return graph.indices[np.minimum(np.searchsorted(cumulative, draw, side="right"), len(cumulative) - 1)]

    for _ in range(per_gene):
        walk = np.empty((len(origins), length), dtype=np.int32)
        walk[:, 0] = rng.permutation(origins)
        walk[:, 1] = step(walk[:, 0])
        for k in range(2, length):
            nxt = step(walk[:, k - 1])
            if biased:
                pending = np.arange(len(walk))
                while len(pending):
                    prev, cand = walk[pending, k - 2].astype(np.int64), nxt[pending].astype(np.int64)
                    found = np.searchsorted(edges, prev * n + cand)
                    near = edges[np.minimum(found, len(edges) - 1)] == prev * n + cand
                    weight = np.where(cand == prev, 1 / p, np.where(near, 1.0, 1 / q))
                    rejected = pending[rng.random(len(pending)) * top >= weight]
                    nxt[rejected] = step(walk[rejected, k - 1])
                    pending = rejected
            walk[:, k] = nxt
        yield walk
