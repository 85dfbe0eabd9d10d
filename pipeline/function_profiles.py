"""Per-data-set co-expression features for function prediction (PrismEXP's idea: similarity within
each data set of the compendium, not only in the embedding that averages them).

A gene's score for a term in data set d is its mean Pearson r there to the term's training members
measured there: the dot product of its unit profile with the mean of theirs, so a (genes x samples)
times (samples x terms) product per block, never genes x genes. Beside it, a ridge model per term on
the samples of d (GenePlexus' supervised idea in each data set's own space; all terms in one solve).
Each is z-scored per term across the training genes measured in d and summarised over the data sets
that measure the gene. Members are those of the other folds only, exactly as
:func:`pipeline.functions.fit_fold` builds its centroids.
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
    sd: list[np.ndarray]          # (inf where no member is measured: z = 0)
    ridge: list[np.ndarray]       # per data set: samples x terms, ridge model of membership on the profile
    ridge_mean: list[np.ndarray]
    ridge_sd: list[np.ndarray]


def fit_profiles(profiles: Profiles, members: sparse.csr_matrix, train: np.ndarray, ridge_alpha: float = 10.0
                 ) -> ProfileModel:
    """Each data set's term centroids, ridge models and their score moments from the ``train`` genes
    measured there (``ridge_alpha`` chosen on GO BP / Reactome / WikiPathways among 1, 10, 100)."""
    fitted: list[list[np.ndarray]] = [[] for _ in range(6)]        # ProfileModel's fields, one item per data set
    for p, where in zip(*profiles):
        have = train[where[train] >= 0]
        m = members[have]
        size = np.asarray(m.sum(axis=0)).ravel()
        x = p[where[have]]
        sums = np.asarray((m.T @ x).T)                                          # samples x terms
        centroids = (sums / np.maximum(size, 1)).astype(np.float32)
        ridge = np.linalg.solve(x.T @ x + ridge_alpha * np.eye(x.shape[1]), sums).astype(np.float32)
        for at, w in ((0, centroids), (3, ridge)):
            mean, sd = F._moments(x, w) if len(x) else (np.zeros(w.shape[1]), np.ones(w.shape[1]))
            fitted[at].append(w)
            fitted[at + 1].append(mean.astype(np.float32))
            fitted[at + 2].append(np.where(size > 0, sd, np.inf).astype(np.float32))
    return ProfileModel(*fitted)


def profile_scores(profiles: Profiles, rows: np.ndarray, model: ProfileModel) -> dict[str, np.ndarray]:
    """``rows`` x terms, over the data sets measuring a gene (0 for a gene measured nowhere): the mean
    (``expression_mean``) and the largest (``expression_max``) of its per-data-set z of r to the
    members, and the mean z of the ridge models (``expression_ridge``)."""
    shape = (len(rows), model.centroids[0].shape[1])
    total, ridge = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    best = np.full(shape, -np.inf, np.float32)
    count = np.zeros(len(rows), np.float32)
    for d, (p, where) in enumerate(zip(*profiles)):
        mine = np.flatnonzero(where[rows] >= 0)
        if not len(mine):
            continue
        x = p[where[rows[mine]]]
        z = (x @ model.centroids[d] - model.mean[d]) / model.sd[d]
        total[mine] += z
        best[mine] = np.maximum(best[mine], z)
        ridge[mine] += (x @ model.ridge[d] - model.ridge_mean[d]) / model.ridge_sd[d]
        count[mine] += 1
    best[count == 0] = 0
    share = 1 / np.maximum(count, 1)[:, None]
    return {"expression_mean": total * share, "expression_max": best, "expression_ridge": ridge * share}
