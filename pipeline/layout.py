"""The 2-D gene map: PCA to 50 dimensions, then openTSNE (FFT-accelerated gradients).

The paper ran Multicore-TSNE for 100,000 iterations; openTSNE's default schedule
(250 exaggerated + 500 normal iterations) converges for 25k points in well under a minute.
"""
from __future__ import annotations

import os
import time

import numpy as np
from sklearn.decomposition import PCA

from pipeline.config import LayoutConfig
from pipeline.errors import InputError

PRESERVATION_K = 10               # neighbours compared by neighbourhood_preservation
# The largest |value| of every vector must lie in here: float32 squares of values under ~1e-19
# are denormal or 0 and over ~1e19 overflow, and openTSNE segfaults on what that makes of the map.
VALUE_RANGE = (1e-12, 1e12)
MIN_GENES = PRESERVATION_K + 1    # each gene needs that many others


def unmappable(vectors: np.ndarray, genes: np.ndarray | None = None) -> str | None:
    """Why ``vectors`` cannot be mapped or compared by cosine (None when they can); ``genes``
    name the rows in the answer.

    Checked before any work because the failures come late or badly: openTSNE segfaults on
    all-zero input, PCA to 2-D raises on one dimension, the 10-NN preservation score needs 11
    genes. A zero vector is refused even among good ones: its cosine with any gene is undefined
    (0/0), so it would rank as nobody's neighbour yet sit somewhere on the map; remove it instead.
    Vectors that all point the same way make every cosine 1: nothing to map. A vector whose values
    are all tiny (1e-42, denormal) or huge (1e37) is refused too (:data:`VALUE_RANGE`): its float32
    norm underflows or overflows, and openTSNE segfaults on the result."""
    def rows(bad: np.ndarray) -> str:
        k = int(np.argmax(bad))
        return f"{int(bad.sum())} of {n} vectors (first: {genes[k] if genes is not None else f'row {k + 1}'})"

    n, dims = vectors.shape
    finite = np.isfinite(vectors).all(axis=1)
    if not finite.all():
        return f"NaN or inf in {rows(~finite)}"
    if dims < 2:
        return f"{dims} dimension: the map (PCA, t-SNE) and cosine neighbours need at least 2"
    if n < MIN_GENES:
        return (f"only {n} gene{'s' * (n != 1)}: the map needs at least {MIN_GENES} (each gene's {PRESERVATION_K} "
                "nearest others)")
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
    if (norms == 0).any():
        return f"all zero: {rows(norms == 0)}; cosine similarity is undefined for them: remove those rows"
    peak = np.abs(vectors).max(axis=1).astype(np.float64)
    odd = (peak < VALUE_RANGE[0]) | (peak > VALUE_RANGE[1])
    if odd.any():
        return (f"values out of range in {rows(odd)}: largest |value| {peak[np.argmax(odd)]:.3g}, float32 "
                f"arithmetic needs {VALUE_RANGE[0]:g} to {VALUE_RANGE[1]:g}: rescale the vectors")
    if ((vectors @ vectors[0]) / (norms * norms[0]) > 1 - 1e-5).all():          # cosine with the first
        return "every vector points the same way (constant vectors?): every cosine similarity is 1, nothing to map"
    return None


def pca(vectors: np.ndarray, dims: int, seed: int) -> np.ndarray:
    dims = min(dims, vectors.shape[1], vectors.shape[0])
    return PCA(n_components=dims, random_state=seed, svd_solver="full").fit_transform(vectors).astype(np.float32)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def tsne_layout(vectors: np.ndarray, config: LayoutConfig = LayoutConfig(), n_jobs: int = 0) -> tuple[np.ndarray, dict]:
    """Vectors -> (n, 2) map coordinates and a record of how they were made."""
    from openTSNE import TSNE

    problem = unmappable(vectors)
    if problem:
        raise InputError(f"embedding: {problem}")
    started = time.perf_counter()
    x = unit_rows(vectors) if config.unit_length else np.asarray(vectors, dtype=np.float32)
    reduced = pca(x, config.pca_dims, config.seed)
    perplexity = min(config.perplexity, max(1.0, (len(x) - 1) / 3))   # openTSNE needs 3 * perplexity < n
    tsne = TSNE(n_components=2, perplexity=perplexity, n_iter=config.n_iter,
                early_exaggeration_iter=config.early_exaggeration_iter, initialization="pca",
                ints_in_interval=config.ints_in_interval, min_num_intervals=config.min_num_intervals,
                negative_gradient_method="fft", neighbors=config.knn, n_jobs=n_jobs or os.cpu_count() or 1,
                random_state=config.seed)
    embedded = tsne.fit(reduced)
    xy = np.asarray(embedded, dtype=np.float32)
    return xy, {"pca_dims": reduced.shape[1], "perplexity": perplexity, "gradient": "fft", "knn": config.knn,
                "kl_divergence": round(float(embedded.kl_divergence), 4),
                "seconds": round(time.perf_counter() - started, 2)}


def neighbourhood_preservation(vectors: np.ndarray, xy: np.ndarray, k: int = PRESERVATION_K, sample: int = 2000,
                               seed: int = 0) -> float:
    """Mean fraction of each gene's k nearest neighbours by cosine in the embedding that are
    also among its k nearest on the map (over a seeded sample of genes)."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    rows = rng.choice(n, size=min(sample, n), replace=False)
    unit = unit_rows(np.asarray(vectors, dtype=np.float32))
    high = _knn(-(unit[rows] @ unit.T), rows, k)
    d2 = (xy[rows] ** 2).sum(axis=1)[:, None] + (xy ** 2).sum(axis=1)[None, :] - 2 * xy[rows] @ xy.T
    low = _knn(d2, rows, k)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(high, low)]))


def _knn(distance: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    distance[np.arange(len(rows)), rows] = np.inf        # a gene is not its own neighbour
    return np.argpartition(distance, k, axis=1)[:, :k]
