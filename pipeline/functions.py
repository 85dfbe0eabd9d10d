"""What does this gene do? Out-of-fold gene x term scores from gene vectors (guilt by association).

Pure functions over a gene x dim matrix and a sparse gene x term membership. Genes are split into
K folds; every score of a gene comes from a model fitted on the other folds' genes only, so a
gene's own membership never scores it (the size prior aside: a term's size in the library, one
number per term for every gene). Work is done in blocks of genes (never genes x genes).

Methods (each a gene x term score; higher = more likely a member):
``mean_cosine`` (ARCHS4: cosine to the term's members), ``zscore`` (the same, z-scored per term
across genes), ``hub`` (SEEK: each similarity less both genes' mean similarity to all genes),
``z_logsize`` (z per term + z of log term size: the prior put back), ``ridge`` (a linear model per
term on the vectors, all terms in one solve: GenePlexus' supervised idea), ``knn`` (the
similarity-weighted vote of the gene's nearest neighbours of other folds), ``zsmooth`` (label
smoothing through co-membership: a term's score is the z of the terms its training members share,
weighted by how often they share them, all linear in the vector), and ``combined`` (a
logistic model over (gene, term) features of the above, log term size, two per-gene terms and
products, stacked: fitted on the out-of-fold features of a sample of annotated genes, each fold's
coefficients from the other folds' genes). The per-gene terms move a gene up or down in every term
at once, which ranks genes within a term (term-centric) and leaves a gene's ranking of terms alone:
``degree``, its multifunctionality learned from its vector, and ``breadth``, log sum over terms of
exp(z + log size): how strongly the gene resembles all terms at once, a hub in score space (SEEK's
hub correction, its weight learned: term-centric AUROC +0.009 / +0.011 / +0.010 on GO BP / Reactome /
WikiPathways, 2,000 genes; a nonlinear stacker, per-term coherence columns, sharper co-membership
smoothing and wider neighbour votes gave < 0.005 and a gradient-boosted stacker lost 0.01 at 10x the time).
Given the compendium's per-data-set profiles, the combined model also reads each gene's
co-expression with a term's members within each data set (:mod:`pipeline.function_profiles`:
PrismEXP's idea), and given the tissue atlases, across the tissues of each (gene-centric 0.836 -> 0.854
/ 0.871 -> 0.889 / 0.839 -> 0.863 and term-centric +0.024 / +0.030 / +0.030 on GO BP / Reactome /
WikiPathways, 2,000 genes: the six data sets see no brain, liver or testis).

A second stage (:class:`SecondStage`) reads the first stage's probabilities back through the
library: a term that the training genes carrying a gene's likely terms also carry rises
(:func:`coannotation`: label co-occurrence, as multi-label classifier chains use it). Gene-centric
0.8580 -> 0.8625 / 0.8958 -> 0.9000 / 0.8684 -> 0.8773 and term-centric 0.7900 -> 0.8015 / 0.8589 ->
0.8674 / 0.8241 -> 0.8363 on GO BP / Reactome / WikiPathways (2,000 genes); with each gene's scores
centred over the terms (no gene-level shift left) GO BP term-centric still rises 0.7606 -> 0.7694.

:func:`predict` scores every gene in blocks with a probability calibrated the same way (the member
rate of pairs scored alike in the other folds, made monotone in the score).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Iterator

import numpy as np
from scipy import sparse

from pipeline import function_profiles as P
from pipeline.function_calibration import Calibration, calibrate

METHODS = ("mean_cosine", "zscore", "hub", "z_logsize", "ridge", "knn", "zsmooth", "combined")


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1)).astype(np.float32)


def membership(genes: np.ndarray, sets: dict[str, list[str]], min_size: int, max_size: int
               ) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Genes x terms (float32 0/1, CSR) of the sets with ``min_size``..``max_size`` of ``genes``."""
    index = {g: k for k, g in enumerate(genes)}
    rows, cols, names = [], [], []
    for name, members in sets.items():
        hits = sorted({index[g] for g in members if g in index})
        if min_size <= len(hits) <= max_size:
            rows.extend(hits)
            cols.extend([len(names)] * len(hits))
            names.append(name)
    m = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(genes), len(names)))
    return m, np.array(names, dtype=object)


def gene_folds(n: int, k: int, seed: int) -> np.ndarray:
    """Fold number of each gene: a seeded permutation cut into ``k`` near-equal parts."""
    return np.random.default_rng(seed).permutation(n) % k


def neighbours(vectors: np.ndarray, k: int, block: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """Each gene's ``k`` most cosine-similar genes (itself excluded) and their cosines, by blocks."""
    u = unit(vectors)
    k = min(k, len(u) - 1)
    idx = np.empty((len(u), k), np.int64)
    sim = np.empty((len(u), k), np.float32)
    for start in range(0, len(u), block):
        s = u[start:start + block] @ u.T
        s[np.arange(len(s)), np.arange(start, start + len(s))] = -np.inf
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        idx[start:start + len(s)] = top
        sim[start:start + len(s)] = np.take_along_axis(s, top, axis=1)
    return idx, sim


@dataclass(frozen=True)
class FoldModel:
    """What the genes outside one fold teach about every term."""

    centroids: np.ndarray    # dims x terms: mean unit vector of the term's training members
    hub: np.ndarray          # terms: mean hubness (cosine to the mean gene) of those members
    mean: np.ndarray         # terms: mean of cosine-to-centroid over training genes
    sd: np.ndarray
    ridge: np.ndarray        # (dims + 1) x terms: linear model on [vector, 1]
    ridge_mean: np.ndarray
    ridge_sd: np.ndarray
    logsize: np.ndarray      # terms: z-scored log training size
    degree: np.ndarray       # dims + 1: linear model of a gene's log number of terms (multifunctionality)
    smooth: np.ndarray       # dims x terms: z of the terms a term's members share, weighted by how many
    smooth_mean: np.ndarray
    smooth_sd: np.ndarray


def _moments(u: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd over the rows of ``u`` of ``u @ w``, per column, without forming ``u @ w``."""
    mu = u.mean(axis=0)
    cov = (u.T @ u) / len(u) - np.outer(mu, mu)
    mean = mu @ w
    var = np.einsum("ij,ij->j", w, cov @ w)
    return mean, np.sqrt(np.maximum(var, 1e-12))


def fit_fold(u: np.ndarray, members: sparse.csr_matrix, train: np.ndarray, ridge_alpha: float = 10.0,
             sizes: np.ndarray | None = None) -> FoldModel:
    """Centroids, per-term score moments and the ridge model from the ``train`` genes; the size prior
    from ``sizes`` (the library's own term sizes) or else the training sizes."""
    m = members[train]
    size = np.asarray(m.sum(axis=0)).ravel()
    ut = u[train]
    sums = np.asarray((m.T @ ut).T)                      # dims x terms
    centroids = (sums / np.maximum(size, 1)).astype(np.float32)
    hubness = ut @ u.mean(axis=0)
    hub = (m.T @ hubness) / np.maximum(size, 1)
    mean, sd = _moments(ut, centroids)
    x = np.hstack([ut, np.ones((len(ut), 1), np.float32)])
    gram = x.T @ x + ridge_alpha * np.diag(np.r_[np.ones(u.shape[1]), 0.0])
    coef = np.linalg.solve(gram, np.asarray((m.T @ x).T)).astype(np.float32)
    r_mean, r_sd = _moments(x, coef)
    log = np.log(np.maximum(size if sizes is None else sizes, 1))
    degree = np.linalg.solve(gram, x.T @ np.log1p(np.asarray(m.sum(axis=1)).ravel())).astype(np.float32)
    share = (m.T @ m).toarray() / np.maximum(size, 1)[None, :]        # column t: P(other term | t)
    share /= np.maximum(share.sum(axis=0), 1e-12)
    smooth = ((centroids / sd) @ share).astype(np.float32)
    s_mean, s_sd = _moments(ut, smooth)
    return FoldModel(centroids, hub.astype(np.float32), mean.astype(np.float32), sd.astype(np.float32), coef,
                     r_mean.astype(np.float32), r_sd.astype(np.float32),
                     ((log - log.mean()) / (log.std() or 1)).astype(np.float32), degree, smooth,
                     s_mean.astype(np.float32), s_sd.astype(np.float32))


def fit_folds(u: np.ndarray, members: sparse.csr_matrix, folds: np.ndarray, annotated: np.ndarray
              ) -> list[FoldModel]:
    """One model per fold, each from the annotated genes of the other folds, with one size prior for
    all: a term's size in the library, as a user of the GMT reads it. Sizes of the other folds'
    genes alone differ by fold, less where the fold holds more of the term's members, which ranks
    members below non-members of other folds (term-centric AUC under 0.5 on random vectors)."""
    sizes = np.asarray(members.sum(axis=0)).ravel()
    return [fit_fold(u, members, np.flatnonzero(annotated & (folds != f)), sizes=sizes)
            for f in range(folds.max() + 1)]


def knn_vote(rows: np.ndarray, idx: np.ndarray, sim: np.ndarray, members: sparse.csr_matrix, folds: np.ndarray,
             annotated: np.ndarray) -> np.ndarray:
    """Each row gene's neighbours' memberships, weighted by cosine, over annotated neighbours of other folds."""
    nb = idx[rows]
    w = np.maximum(sim[rows], 0) * (folds[nb] != folds[rows][:, None]) * annotated[nb]
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)
    weights = sparse.csr_matrix((w.ravel(), nb.ravel(), np.arange(0, w.size + 1, w.shape[1])),
                                shape=(len(rows), members.shape[0]))
    return (weights @ members).toarray().astype(np.float32)


def features(u: np.ndarray, rows: np.ndarray, model: FoldModel, vote: np.ndarray) -> dict[str, np.ndarray]:
    """Every method's score (and the size prior) for ``rows`` (all of one fold) x all terms."""
    x = u[rows]
    cos = x @ model.centroids
    z = (cos - model.mean) / model.sd
    hubness = (x @ u.mean(axis=0))[:, None]
    ridge = x @ model.ridge[:-1] + model.ridge[-1]
    logsize = np.broadcast_to(model.logsize, cos.shape)
    z_logsize = z + logsize
    return {"mean_cosine": cos, "zscore": z, "hub": cos - hubness - model.hub, "z_logsize": z_logsize,
            "ridge": ridge, "ridge_z": (ridge - model.ridge_mean) / model.ridge_sd, "knn": vote,
            "logsize": logsize, "zsmooth": (x @ model.smooth - model.smooth_mean) / model.smooth_sd,
            "degree": np.broadcast_to((x @ model.degree[:-1] + model.degree[-1])[:, None], cos.shape),
            "breadth": np.broadcast_to(breadth(z_logsize)[:, None], cos.shape)}


def breadth(scores: np.ndarray) -> np.ndarray:
    """Per row, log sum of exp(scores): high for a gene that resembles many terms at once."""
    top = scores.max(axis=1)
    shifted = scores - top[:, None]
    return top + np.log(np.exp(shifted, out=shifted).sum(axis=1))


def blocks(rows: np.ndarray, folds: np.ndarray, block: int) -> Iterator[tuple[int, np.ndarray]]:
    """(fold, rows of that fold) in blocks of at most ``block`` genes."""
    for f in range(folds.max() + 1):
        own = rows[folds[rows] == f]
        for start in range(0, len(own), block):
            yield f, own[start:start + block]


COMBINER = (("zscore",), ("ridge_z",), ("knn",), ("zsmooth",), ("logsize",), ("degree",), ("breadth",),
            ("zscore", "logsize"), ("knn", "logsize"), ("zsmooth", "logsize"), ("zscore", "degree"),
            ("zsmooth", "degree"))   # the combined model's columns: a feature or a product of features
DEFAULT_METHOD = "combined"      # chosen on GO BP / Reactome / WikiPathways (gene- and term-centric)
FOLDS = 10   # each model learns from 90% of the genes: +0.002 gene- and term-centric on each of the three over 5
POWER = 3   # a likely term's weight in the co-annotation: its probability cubed (2, 4: within 0.001 on GO BP)
STACKED = 4000   # annotated genes the combined model learns from: over 2,000, +0.0005 / 0 / +0.0017 gene-centric
                 # and +0.0009 / +0.0012 / +0.0024 term-centric on GO BP / Reactome / WikiPathways (8,000: < 0.002 more)


def _column(found: dict[str, np.ndarray], term: tuple[str, ...]) -> np.ndarray:
    out = found[term[0]]
    for name in term[1:]:
        out = out * found[name]
    return out


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-3, steps: int = 25,
             tol: float = 1e-4, start: np.ndarray | None = None) -> np.ndarray:
    """Weighted logistic regression by Newton steps, each halved until the loss falls (plain Newton
    can diverge from a far ``start``); a small ridge keeps it finite, so there is one optimum whatever
    the start. The last coefficient is the intercept."""
    x = np.hstack([x, np.ones((len(x), 1))]).astype(np.float64)
    beta = np.zeros(x.shape[1]) if start is None else np.array(start, dtype=np.float64)

    def loss(b: np.ndarray) -> float:
        z = x @ b
        return float(w @ (np.logaddexp(0, z) - y * z) + l2 / 2 * b @ b)

    current = loss(beta)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        grad = x.T @ (w * (p - y)) + l2 * beta
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        while (found := loss(beta - step)) > current and np.abs(step).max() >= tol:
            step /= 2
        beta -= step
        current = found
        if np.abs(step).max() < tol:
            break
    return beta


def coannotation(probability: np.ndarray, train: sparse.csr_matrix, power: float = POWER) -> np.ndarray:
    """What a gene's likely terms say about every other term: the log lift (over the term's rate among
    the training genes) of how often the training genes (``train``: their memberships, genes x terms)
    that carry a term the gene likely has also carry the term; the mean over the gene's other terms,
    each weighted by its ``probability`` (rows x terms, out of fold) to the ``power``. The lift, not
    the rate: a term's rate among the training genes is lower where the held-out fold holds more of
    its members, and would rank them by it (term-centric 0.59 on shuffled labels). Through two sparse
    products (rows x training genes in between), never terms x terms."""
    count = np.asarray(train.sum(axis=0)).ravel().astype(np.float32)
    q = np.asarray(probability, dtype=np.float32) ** power
    via = np.asarray(train @ (q / np.maximum(count, 1)).T)                # training genes x rows
    own = q * (count > 0)                                                  # a term's P(itself | itself) = 1
    total = q.sum(axis=1, keepdims=True)
    others = total - own
    shared = np.maximum(np.asarray(train.T @ via).T - own, 0) / np.maximum(others, 1e-30)
    lift = np.log((shared + 1e-6) / (count / max(train.shape[0], 1) + 1e-6))
    # a term holding all but 0.1% of the weight: too little of the others left to read in float32
    return np.where(others > 1e-3 * total, lift, 0).astype(np.float32)


@dataclass(frozen=True)
class SecondStage:
    """The combined model's second stage: its first score beside what the gene's likely terms say
    (:func:`coannotation`, z-scored per term over the stacked genes): terms that go with the gene's
    predicted ones rise, within a gene (gene-centric) and across genes (term-centric)."""

    mean: np.ndarray                  # terms: of the co-annotation over the stacked genes
    sd: np.ndarray
    coef: list[np.ndarray]            # per fold: :func:`second_columns`' weights, then the intercept
    calibration: list[Calibration]    # per fold, of the second score

    def score(self, first: np.ndarray, shared: np.ndarray, logsize: np.ndarray, fold: int) -> np.ndarray:
        """The second score from the first, :func:`coannotation` and the size prior (any shape alike)."""
        columns = second_columns(first, (shared - self.mean) / self.sd, logsize)
        return _linear(self.coef[fold], columns, np.shape(first))


def second_columns(first: np.ndarray, z: np.ndarray, logsize: np.ndarray) -> tuple[np.ndarray, ...]:
    """The second stage's columns: the first score, the co-annotation's z and each times the size
    prior (the first score weighs less in big terms: GO BP +0.002 gene-centric, +0.001 term-centric)."""
    return first, z, z * logsize, first * logsize


@dataclass(frozen=True)
class Predictor:
    """Everything :func:`predict` needs to score any gene out of fold: the fold models, the combined
    model's coefficients and the calibration, each fitted without the fold it serves."""

    u: np.ndarray
    members: sparse.csr_matrix
    near: tuple[np.ndarray, np.ndarray]
    folds: np.ndarray
    annotated: np.ndarray
    models: list[FoldModel]
    method: str
    coef: list[np.ndarray | None]
    calibration: list[Calibration]
    profiles: dict[str, P.Profiles]                 # groups of per-data-set profiles (may be empty)
    profile_models: dict[str, list[P.ProfileModel]]  # per group and fold, from the other folds' genes
    second: SecondStage | None = None                # the combined model's second stage

    @property
    def columns(self) -> tuple[tuple[str, ...], ...]:
        """The combined model's columns: :data:`COMBINER`, then each profile group's."""
        return COMBINER + sum((P.group_columns(g, len(p[0])) for g, p in self.profiles.items()), ())

    def score(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores and probabilities (rows x terms, float32) of ``rows``, all of one fold."""
        return self.combine(rows, self.features(rows))

    def features(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Every method's out-of-fold score of ``rows`` (all of one fold; :func:`features`)."""
        idx, sim = self.near
        vote = knn_vote(rows, idx, sim, self.members, self.folds, self.annotated)
        f = int(self.folds[rows[0]])
        found = features(self.u, rows, self.models[f], vote)
        for group, profiles in self.profiles.items():
            found.update(P.profile_scores(profiles, rows, self.profile_models[group][f], group))
        return found

    def combine(self, rows: np.ndarray, found: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The method's score and probability from the :meth:`features` of ``rows``."""
        f = int(self.folds[rows[0]])
        s = _method_score(found, self.method, self.coef[f], self.columns)
        probability = self.calibration[f](s)
        if self.second is None:
            return s, probability
        s = self.second.score(s, coannotation(probability, self.training(f)), found["logsize"], f)
        return s, self.second.calibration[f](s)

    def training(self, fold: int) -> sparse.csr_matrix:
        """The memberships of the annotated genes outside ``fold``: all a model of that fold may learn from."""
        return self.members[np.flatnonzero(self.annotated & (self.folds != fold))]


def _method_score(found: dict[str, np.ndarray], method: str, coef: np.ndarray | None,
                  columns: tuple[tuple[str, ...], ...]) -> np.ndarray:
    if method != "combined":
        return np.ascontiguousarray(found[method], dtype=np.float32)
    return _linear(coef, (_column(found, term) for term in columns), found["zscore"].shape)


def _linear(coef: np.ndarray, columns: Iterable[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
    """A stacker's score (float32, ``shape``): one weight per column, then the intercept (``coef``'s
    last); the columns are added one at a time, so a generator of them never holds them all."""
    out = np.full(shape, coef[-1], np.float32)
    for c, x in zip(coef[:-1], columns, strict=True):
        out += np.float32(c) * x
    return out


def _sampled_pairs(p: Predictor, rows: np.ndarray, rng: np.random.Generator, negatives: int, block: int
                   ) -> tuple[np.ndarray, ...]:
    """Out-of-fold features of every known pair of ``rows`` and of ``negatives`` random pairs per
    known one, weighted so that the sample stands for all pairs: (columns, score, known, weight, fold,
    gene, term)."""
    parts = []
    for f, part in blocks(rows, p.folds, block):
        found = p.features(part)
        known = p.members[part].toarray() > 0
        pos = np.flatnonzero(known)
        draw = rng.choice(known.size, min(known.size, negatives * max(len(pos), 1)), replace=False)
        neg = draw[~known.ravel()[draw]]
        which = np.r_[pos, neg]
        i, t = np.divmod(which, known.shape[1])
        weight = np.r_[np.ones(len(pos)), np.full(len(neg), (known.size - len(pos)) / max(len(neg), 1))]
        cols = np.stack([_column(found, term)[i, t] for term in p.columns], axis=1)
        s = found[p.method][i, t] if p.method != "combined" else np.zeros(len(which))
        parts.append((cols, s, np.r_[np.ones(len(pos)), np.zeros(len(neg))], weight, np.full(len(which), f),
                      part[i], t))
    return tuple(np.concatenate(x) for x in zip(*parts))


def fit_predictor(vectors: np.ndarray, members: sparse.csr_matrix, near: tuple[np.ndarray, np.ndarray], *,
                  folds: int = FOLDS, seed: int = 0, method: str = DEFAULT_METHOD, sample: int = STACKED,
                  negatives: int = 10, block: int = 1024, profiles: dict[str, P.Profiles] | None = None
                  ) -> Predictor:
    """Fold models, then (on the out-of-fold features of a seeded sample of annotated genes) the
    combined model's coefficients and the calibration of each fold from the other folds' genes, and
    its :class:`SecondStage` the same way; ``profiles`` (:func:`pipeline.function_table.profile_groups`):
    per-data-set features for the combined model, by group."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    members = sparse.csr_matrix(members, dtype=np.float32)
    u = unit(vectors)
    fold = gene_folds(len(u), folds, seed)
    annotated = np.asarray(members.sum(axis=1)).ravel() > 0
    if members.shape[1] == 0 or annotated.sum() < 2 * folds:
        raise ValueError(f"{members.shape[1]} terms over {annotated.sum()} genes: too few to learn from in "
                         f"{folds} folds")
    profiles = dict(profiles or {})
    models = {g: [P.fit_profiles(found, members, np.flatnonzero(annotated & (fold != f))) for f in range(folds)]
              for g, found in profiles.items()}
    p = Predictor(u, members, near, fold, annotated, fit_folds(u, members, fold, annotated), method,
                  [None] * folds, [], profiles, models)
    rng = np.random.default_rng([seed, 1])         # not the stream an evaluation draws its genes from
    pool = np.flatnonzero(annotated)
    rows = np.sort(rng.choice(pool, min(sample, len(pool)), replace=False))
    cols, s, known, weight, where, gene, term = _sampled_pairs(p, rows, rng, negatives, block)
    if method == "combined":
        p.coef[:] = _fold_logistics(cols, known, weight, where, folds)
        s = _own_fold_scores(cols, p.coef, where)
    p.calibration.extend(_fold_calibrations(s, known, weight, where, folds))
    if method != "combined":
        return p
    shared = np.zeros((len(rows), members.shape[1]), np.float32)        # the stacked genes' co-annotation
    for f, part in blocks(rows, p.folds, block):
        shared[np.searchsorted(rows, part)] = coannotation(p.combine(part, p.features(part))[1], p.training(f))
    mean, sd = shared.mean(axis=0), shared.std(axis=0)
    second = SecondStage(mean, np.where(sd > 0, sd, 1), [], [])
    logsize = np.stack([m.logsize for m in p.models])[where, term]
    z = (shared[np.searchsorted(rows, gene), term] - mean[term]) / second.sd[term]
    x = np.stack(second_columns(s, z, logsize), axis=1)
    start = np.r_[1.0, np.zeros(x.shape[1])]                           # the first score alone
    second.coef.extend(_fold_logistics(x, known, weight, where, folds, start=start))
    second.calibration.extend(_fold_calibrations(_own_fold_scores(x, second.coef, where), known, weight, where,
                                                 folds))
    return replace(p, second=second)


def _own_fold_scores(x: np.ndarray, coef: list[np.ndarray], where: np.ndarray) -> np.ndarray:
    """Each sampled pair's score by the coefficients of its own fold (last: the intercept)."""
    return np.einsum("ij,ij->i", np.hstack([x, np.ones((len(x), 1))]), np.stack([coef[f] for f in where]))


def _fold_calibrations(s: np.ndarray, known: np.ndarray, weight: np.ndarray, where: np.ndarray, folds: int
                       ) -> list[Calibration]:
    """Each fold's calibration of the score, from the sampled pairs of the other folds."""
    return [calibrate(s[where != f], known[where != f], weight[where != f]) for f in range(folds)]


def _fold_logistics(x: np.ndarray, known: np.ndarray, weight: np.ndarray, where: np.ndarray, folds: int,
                    start: np.ndarray | None = None) -> list[np.ndarray]:
    """One :func:`logistic` per fold from the sampled pairs of the other folds; each fold's Newton
    steps start from the last fold's optimum (a few steps), the first from ``start``."""
    out = []
    for f in range(folds):
        train = where != f
        start = logistic(x[train], known[train], weight[train], start=start)
        out.append(start.astype(np.float32))
    return out


def predict(vectors: np.ndarray, members: sparse.csr_matrix, near: tuple[np.ndarray, np.ndarray], *,
            folds: int = FOLDS, seed: int = 0, method: str = DEFAULT_METHOD, block: int = 1024,
            profiles: dict[str, P.Profiles] | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Blocks (rows, scores, probability) covering every gene of `vectors` exactly once: each gene's scores
    (rows x terms float32) out of fold (its own memberships never score it), and a probability calibrated
    out of fold ("how often a prediction this strong was a known member"); ``profiles``: as
    :func:`fit_predictor`."""
    p = fit_predictor(vectors, members, near, folds=folds, seed=seed, method=method, block=block,
                      profiles=profiles)
    for _, part in blocks(np.arange(len(vectors)), p.folds, block):
        scores, probability = p.score(part)
        yield part, scores, probability
