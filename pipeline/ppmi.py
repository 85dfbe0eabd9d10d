"""PPMI + truncated SVD of the co-occurrence counts that skip-gram trains on.

Skip-gram with negative sampling implicitly factorises a shifted PMI matrix (Levy & Goldberg,
NIPS 2014); factorising the positive PMI explicitly (with context-distribution smoothing and
eigenvalue weighting, Levy, Goldberg & Dagan, TACL 2015) is deterministic, takes seconds, and
does not pack rarely seen genes into one narrow cone. It is a method and a baseline at once.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse


def cooccurrence(chunks, n: int) -> sparse.csr_matrix:
    """Symmetric gene x gene counts from (a, b) pair chunks: a pair seen k times counts k."""
    total = sparse.csr_matrix((n, n), dtype=np.float64)
    for chunk in chunks:
        a, b = chunk[:, 0], chunk[:, 1]
        total = total + sparse.csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    total.sum_duplicates()
    return total


def ppmi(counts: sparse.csr_matrix, alpha: float = 0.75) -> sparse.csr_matrix:
    """max(0, log P(g, c) / (P(g) P_alpha(c))): context counts raised to ``alpha`` (smoothing,
    which keeps rare contexts from getting huge PMI)."""
    coo = counts.tocoo()
    rows = np.asarray(counts.sum(axis=1)).ravel()
    context = rows ** alpha
    pmi = np.log(coo.data * context.sum() / (rows[coo.row] * context[coo.col]))
    keep = pmi > 0
    return sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)


def svd_vectors(matrix: sparse.csr_matrix, dims: int, power: float = 0.5, seed: int = 0) -> np.ndarray:
    """Rows of U S^power from a seeded randomised truncated SVD (``power`` 0.5: the symmetric
    split of the singular values that works best for similarity, Levy et al. 2015)."""
    from sklearn.utils.extmath import randomized_svd

    dims = min(dims, min(matrix.shape) - 1)
    u, s, _ = randomized_svd(matrix, dims, n_iter=5, random_state=seed)
    return (u * s ** power).astype(np.float32)
