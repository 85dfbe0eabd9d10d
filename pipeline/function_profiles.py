"""Per-data-set co-expression features for function prediction (PrismEXP's idea: similarity within
each data set of the compendium, not only in the embedding that averages them), and the same across
the tissues of each tissue atlas (GTEx, HPA: expression that the six data sets never saw, brain,
liver, testis...).

A gene's score for a term in data set d is its mean Pearson r there to the term's training members
measured there: the dot product of its unit profile with the mean of theirs, so a (genes x samples)
times (samples x terms) product per block, never genes x genes. Beside it, a ridge model per term on
the samples of d (GenePlexus' supervised idea in each data set's own space; all terms in one solve).
Each is z-scored per term across the training genes measured in d, summarised over the data sets
that measure the gene, and also given to the combined model data set by data set, so that it learns
how much each data set says (PrismEXP weighs its sample clusters the same way; the summaries weigh
every data set alike). Members are those of the other folds only, exactly as
:func:`pipeline.functions.fit_fold` builds its centroids. The profiles come in named groups, each
summarised on its own: ``expression``, the compendium's data sets, and ``tissue``, the atlases.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from pipeline import functions as F

Profiles = tuple[list[np.ndarray], np.ndarray]   # per data set: unit profiles; rows (data sets x genes, -1: absent)


def summary_columns(group: str) -> tuple[tuple[str, ...], ...]:
    """A group's summaries over its data sets (:func:`profile_scores`' first names)."""
    return ((f"{group}_mean",), (f"{group}_max",), (f"{group}_ridge",))


def group_columns(group: str, sets: int) -> tuple[tuple[str, ...], ...]:
    """The combined model's columns for a group of ``sets`` data sets: the summaries, the mean and
    ridge summaries times the size prior, and each data set's two z. Per-data-set columns and the
    products, chosen on GO BP / Reactome / WikiPathways (2,000 genes, 9 + 3 data sets): gene-centric
    +0.0017 / +0.0043 / +0.0017, term-centric +0.0019 / +0.0052 / +0.0011 over the summaries alone."""
    return (summary_columns(group) + tuple(("logsize", f"{group}_{k}") for k in ("mean", "ridge"))
            + tuple((f"{group}_{d}_{k}",) for d in range(sets) for k in ("mean", "ridge")))


def tissue_profiles(atlases: list[np.ndarray]) -> Profiles | None:
    """Each atlas (genes x tissues z-scores, :func:`pipeline.annotate.tissue_zscores`) as unit profiles
    over its tissues: the z of a gene's log expression is its centred profile, so the dot product of
    two is their Pearson r across the tissues. A gene the atlas does not score (absent, or below the
    floor everywhere: NaN) is not measured there. None: no atlas."""
    profiles, rows = [], np.full((len(atlases), len(atlases[0]) if atlases else 0), -1, np.int32)
    for a, z in enumerate(atlases):
        z = np.asarray(z, dtype=np.float64)
        norm = np.linalg.norm(np.nan_to_num(z), axis=1)
        scored = np.flatnonzero(np.isfinite(z).all(axis=1) & (norm > 0))
        profiles.append((z[scored] / norm[scored, None]).astype(np.float32))
        rows[a, scored] = np.arange(len(scored))
    return (profiles, rows) if atlases else None


@dataclass(frozen=True)
class ProfileModel:
    """What one fold's training genes teach about every term, per data set, as one product: a unit
    profile ``x`` gives [z of r to the members, z of the ridge score] = ``x @ weights[d] - offsets[d]``
    (one matrix product per data set and block: many small ones cost more than their arithmetic)."""

    weights: list[np.ndarray]     # per data set: samples x 2 terms, [centroid / sd, ridge / sd] (0: no member there)
    offsets: list[np.ndarray]     # per data set: 2 terms, [mean / sd] of each over the measured training genes


def fit_profiles(profiles: Profiles, members: sparse.csr_matrix, train: np.ndarray, ridge_alpha: float = 10.0
                 ) -> ProfileModel:
    """Each data set's term centroids (the mean unit profile of the measured members), ridge models of
    membership on the profile, and their score moments, from the ``train`` genes measured there
    (``ridge_alpha`` chosen on GO BP / Reactome / WikiPathways among 1, 10, 100)."""
    weights, offsets = [], []
    for p, where in zip(*profiles):
        have = train[where[train] >= 0]
        m = members[have]
        size = np.asarray(m.sum(axis=0)).ravel()
        x = p[where[have]]
        sums = np.asarray((m.T @ x).T)                                          # samples x terms
        w = np.hstack([sums / np.maximum(size, 1),
                       np.linalg.solve(x.T @ x + ridge_alpha * np.eye(x.shape[1]), sums)]).astype(np.float32)
        mean, sd = F._moments(x, w) if len(x) else (np.zeros(w.shape[1]), np.ones(w.shape[1]))
        scale = np.where(np.tile(size, 2) > 0, 1 / sd, 0)                     # no member measured here: z = 0
        weights.append((w * scale).astype(np.float32))
        offsets.append((mean * scale).astype(np.float32))
    return ProfileModel(weights, offsets)


def profile_scores(profiles: Profiles, rows: np.ndarray, model: ProfileModel, group: str = "expression"
                   ) -> dict[str, np.ndarray]:
    """``rows`` x terms, over the data sets measuring a gene (0 for a gene measured nowhere): the mean
    (``<group>_mean``) and the largest (``<group>_max``) of its per-data-set z of r to the
    members, and the mean z of the ridge models (``<group>_ridge``); and each data set's own two z
    (``<group>_<d>_mean``, ``<group>_<d>_ridge``; 0 where d does not measure the gene)."""
    terms = model.weights[0].shape[1] // 2
    total = np.zeros((len(rows), 2 * terms), np.float32)
    best = np.full((len(rows), terms), -np.inf, np.float32)
    count = np.zeros(len(rows), np.float32)
    out = {}
    for d, (p, where, w, offset) in enumerate(zip(*profiles, model.weights, model.offsets)):
        z = np.zeros((len(rows), 2 * terms), np.float32)
        measured = where[rows] >= 0
        if measured.any():
            z[measured] = p[where[rows[measured]]] @ w - offset
            total += z                                  # 0 where not measured: dense adds, not scattered ones
            np.maximum(best, np.where(measured[:, None], z[:, :terms], -np.inf), out=best)
            count += measured
        out[f"{group}_{d}_mean"], out[f"{group}_{d}_ridge"] = z[:, :terms], z[:, terms:]
    best[count == 0] = 0
    total /= np.maximum(count, 1)[:, None]
    return {**dict(zip((c for c, in summary_columns(group)), (total[:, :terms], best, total[:, terms:]))), **out}
