"""Per-data-set co-expression features for function prediction (PrismEXP's idea: similarity within
each data set of the compendium, not only in the embedding that averages them).

A gene's score for a term in data set d is its mean Pearson r there to the term's training members
measured there: the dot product of its unit profile with the mean of theirs, so a (genes x samples)
times (samples x terms) product per block, never genes x genes. It is z-scored per term across the
training genes measured in d, and summarised over the data sets that measure the gene. Members are
those of the other folds only, exactly as :func:`pipeline.functions.fit_fold` builds its centroids.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from pipeline import functions as F

Profiles = tuple[list[np.ndarray], np.ndarray]   # per data set: unit profiles; rows (data sets x genes, -1: absent)


@dataclass(frozen=True)
class ProfileModel:
    """What one fold's training genes teach about every term, per data set."""

    centroids: list[np.ndarray]   # per data set: samples x terms, mean unit profile of the measured members
    mean: list[np.ndarray]        # per data set: terms, mean of r-to-centroid over the measured training genes
    sd: list[np.ndarray]


def fit_profiles(profiles: Profiles, members: sparse.csr_matrix, train: np.ndarray) -> ProfileModel:
    """Each data set's term centroids and score moments from the ``train`` genes measured there."""
    centroids, means, sds = [], [], []
    for p, where in zip(*profiles):
        have = train[where[train] >= 0]
        m = members[have]
        size = np.asarray(m.sum(axis=0)).ravel()
        x = p[where[have]]
        c = (np.asarray((m.T @ x).T) / np.maximum(size, 1)).astype(np.float32)     # samples x terms
        mean, sd = F._moments(x, c) if len(x) else (np.zeros(c.shape[1]), np.ones(c.shape[1]))
        centroids.append(c)
        means.append(mean.astype(np.float32))
        sds.append(np.where(size > 0, sd, np.inf).astype(np.float32))        # no member measured: z = 0
    return ProfileModel(centroids, means, sds)


def profile_scores(profiles: Profiles, rows: np.ndarray, model: ProfileModel) -> dict[str, np.ndarray]:
    """``rows`` x terms: the mean over the data sets measuring a gene of its per-data-set z, and the
    largest of them (0 for a gene measured nowhere)."""
    terms = model.centroids[0].shape[1]
    total = np.zeros((len(rows), terms), np.float32)
    best = np.full((len(rows), terms), -np.inf, np.float32)
    count = np.zeros(len(rows), np.float32)
    for p, where, c, mean, sd in zip(*profiles, model.centroids, model.mean, model.sd):
        mine = np.flatnonzero(where[rows] >= 0)
        if not len(mine):
            continue
        z = (p[where[rows[mine]]] @ c - mean) / sd
        total[mine] += z
        best[mine] = np.maximum(best[mine], z)
        count[mine] += 1
    best[count == 0] = 0
    return {"expression_mean": total / np.maximum(count, 1)[:, None], "expression_max": best}
