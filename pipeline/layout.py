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


def pca(vectors: np.ndarray, dims: int, seed: int) -> np.ndarray:
    dims = min(dims, vectors.shape[1], vectors.shape[0])
    return PCA(n_components=dims, random_state=seed, svd_solver="full").fit_transform(vectors).astype(np.float32)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def tsne_layout(vectors: np.ndarray, config: LayoutConfig = LayoutConfig(), n_jobs: int = 0) -> tuple[np.ndarray, dict]:
    """Vectors -> (n, 2) map coordinates and a record of how they were made."""
    from openTSNE import TSNE

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


def neighbourhood_preservation(vectors: np.ndarray, xy: np.ndarray, k: int = 10, sample: int = 2000,
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
