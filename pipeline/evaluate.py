"""Embedding quality without labels the embedding saw, each figure beside the baselines that
could fake it.

- Clusteredness (paper): mean within-pathway similarity over pathways of 2..50 genes, divided by
  the mean similarity of all pairs among 1,000 random genes. The authors' code used cosine
  similarity, the paper's formula the inner product; both are reported.
- Neighbour precision: of a gene's k nearest genes, the fraction that share a gene set (of 5-200
  genes) with it, beside the random expectation and the same figure for the raw co-expression the
  embedding was trained on (mean Fisher-z correlation over the data sets).
- Tissue patterns: do a tissue's specific genes gather, against random genes of matched number.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
from scipy import sparse

from pipeline.config import ClusterednessConfig, NeighbourConfig
from pipeline.errors import InputError
from pipeline.layout import unit_rows


def mean_pairwise(vectors: np.ndarray) -> float:
    """Mean inner product over all pairs i != j, in O(n d): (|sum v|^2 - sum |v|^2) / (n (n - 1));
    NaN for fewer than two rows."""
    n = len(vectors)
    if n < 2:
        return float("nan")
    total = vectors.sum(axis=0, dtype=np.float64)
    return float((total @ total - np.einsum("ij,ij->", vectors, vectors, dtype=np.float64)) / (n * (n - 1)))


def set_indices(genes: np.ndarray, gene_sets: dict[str, list[str]], config: ClusterednessConfig,
                sets_file: str | Path | None = None) -> dict[str, np.ndarray]:
    """Each set's genes that have a vector, kept if min_set_size <= size <= max_set_size; none
    kept is an error naming ``sets_file`` (the science never opens files, so callers say which)."""
    index = {g: k for k, g in enumerate(genes)}
    out = {}
    for name, members in gene_sets.items():
        rows = np.array(sorted({index[g] for g in members if g in index}), dtype=np.int64)
        if config.min_set_size <= len(rows) <= config.max_set_size:
            out[name] = rows
    if not out:
        raise InputError(f"no gene set has {config.min_set_size}-{config.max_set_size} genes with a vector",
                         sets_file)
    return out


def clusteredness(genes: np.ndarray, vectors: np.ndarray, gene_sets: dict[str, list[str]],
                  config: ClusterednessConfig = ClusterednessConfig(), sets_file: str | Path | None = None) -> dict:
    """Cosine and inner-product clusteredness, with the pieces of each ratio."""
    sets = set_indices(np.asarray(genes), gene_sets, config, sets_file)
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
    result["cosine"]["pair_auc"] = pair_auc(lambda rows: unit[rows] @ unit[rows].T, sets, background)
    return result


def pair_auc(block: Callable[[np.ndarray], np.ndarray], sets: dict[str, np.ndarray], background: np.ndarray) -> float:
    """P(a pair of one set is more similar than a pair of random genes), each set weighing the
    same: the clusteredness question without its ratio, which breaks down for a similarity whose
    random pairs average about 0 (correlations). ``block(rows)`` is the rows x rows similarity."""
    def upper(rows: np.ndarray) -> np.ndarray:
        values = block(rows)[np.triu_indices(len(rows), k=1)]
        return values[np.isfinite(values)]

    random = np.sort(upper(background))
    aucs = []
    for rows in sets.values():
        within = upper(rows)
        if len(within) and len(random):
            below = np.searchsorted(random, within, side="left")
            ties = np.searchsorted(random, within, side="right") - below
            aucs.append(float(np.mean((below + 0.5 * ties) / len(random))))
    return float(np.mean(aucs)) if aucs else float("nan")


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


def share_interval(share: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson 95% interval of a mean of ``n`` shares in [0, 1] (p@10 over n query genes, a tissue's
    neighbour share over its n specific genes), one trial per query: no mean of shares in [0, 1]
    varies more than a proportion does, so it is the wide, safe side when per-query spread is unknown."""
    if n <= 0:
        return 0.0, 1.0
    p = min(max(float(share), 0.0), 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


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


# --- neighbour precision against gene sets ------------------------------------------------------

def membership(genes: np.ndarray, gene_sets: dict[str, list[str]], min_size: int = 5, max_size: int = 200,
               sets_file: str | Path | None = None) -> sparse.csr_matrix:
    """Sets x genes boolean matrix of the sets with ``min_size``..``max_size`` of ``genes``; none
    is an error naming ``sets_file``."""
    index = {g: k for k, g in enumerate(genes)}
    cols = []
    for members in gene_sets.values():
        found = sorted({index[g] for g in members if g in index})
        if min_size <= len(found) <= max_size:
            cols.append(np.array(found, dtype=np.int64))
    if not cols:
        raise InputError(f"no gene set has {min_size}-{max_size} genes of the embedding", sets_file)
    row = np.repeat(np.arange(len(cols)), [len(c) for c in cols])
    return sparse.csr_matrix((np.ones(len(row), dtype=np.float32), (row, np.concatenate(cols))),
                             shape=(len(cols), len(genes)))


def query_rows(sets: sparse.csr_matrix, queries: int, seed: int) -> np.ndarray:
    """``queries`` random genes (sorted row indices) among those in some set, seeded."""
    in_sets = np.flatnonzero(np.asarray(sets.sum(axis=0)).ravel() > 0)
    return np.sort(np.random.default_rng(seed).choice(in_sets, size=min(queries, len(in_sets)), replace=False))


def neighbour_precision(similarity: Callable[[np.ndarray], np.ndarray], sets: sparse.csr_matrix, rows: np.ndarray,
                        k: int = 10, top_fraction: float = 0.01) -> dict:
    """How often the k genes most similar to each query gene share a gene set with it.

    ``similarity(rows)`` gives the (len(rows), genes) similarity of the query genes to every gene
    (-inf where it is not defined). ``random`` is the precision that k random genes would have,
    ``lift`` the ratio of the two; ``recall_top_1pct`` the fraction of a query's set partners
    that rank in its top ``top_fraction`` of genes."""
    n = sets.shape[1]
    share = ((sets.T.tocsr()[rows] @ sets) > 0).toarray()
    share[np.arange(len(rows)), rows] = False
    scores = np.array(similarity(rows), dtype=np.float32)
    scores[np.arange(len(rows)), rows] = -np.inf
    k = min(k, n - 1)
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    depth = max(k, int(np.ceil(top_fraction * n)))
    deep = np.argpartition(-scores, depth - 1, axis=1)[:, :depth]
    partners = share.sum(axis=1)
    precision = float(np.take_along_axis(share, top, axis=1).mean())
    random = float((partners / (n - 1)).mean())
    return {"precision": round(precision, 4), "random": round(random, 4), "lift": round(precision / random, 2),
            "recall_top_1pct": round(float(np.mean(np.take_along_axis(share, deep, axis=1).sum(axis=1)
                                                   / np.maximum(partners, 1))), 4)}


def neighbour_report(genes: np.ndarray, vectors: np.ndarray, gene_sets: dict[str, list[str]],
                     config: NeighbourConfig = NeighbourConfig(),
                     coexpression: Callable[[np.ndarray], np.ndarray] | None = None,
                     sets_file: str | Path | None = None) -> dict:
    """Neighbour precision of the embedding (cosine) and, when given, of the raw co-expression
    (``coexpression(rows)``, e.g. :func:`fisher_z_similarity` over the build's data sets), on the
    same query genes of the same gene universe."""
    sets = membership(np.asarray(genes), gene_sets, config.min_set_size, config.max_set_size, sets_file)
    rows = query_rows(sets, config.queries, config.seed)
    out = {"k": config.k, "queries": int(len(rows)), "genes": int(len(genes)), "sets": int(sets.shape[0]),
           "embedding": neighbour_precision(cosine_similarity(vectors), sets, rows, config.k, config.top_fraction)}
    if coexpression is not None:
        out["coexpression"] = neighbour_precision(coexpression, sets, rows, config.k, config.top_fraction)
    return out


def cosine_similarity(vectors: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    unit = unit_rows(vectors)
    return lambda rows: unit[rows] @ unit.T


def fisher_z_similarity(datasets: Iterable[tuple[np.ndarray, np.ndarray]], genes: np.ndarray, rows: np.ndarray,
                        columns: np.ndarray | None = None) -> np.ndarray:
    """The raw co-expression baseline: mean Fisher z (atanh r) over the data sets that measure both
    genes, for genes ``rows`` x ``columns`` (default: all) of ``genes``; -inf where none does.

    ``datasets`` yields (gene names, genes x samples values) one data set at a time, so memory is
    one data set plus the (rows x columns) result: never a genes x genes matrix."""
    from pipeline.coexpression import standardise

    columns = np.arange(len(genes)) if columns is None else np.asarray(columns)
    index = pd.Series(np.arange(len(genes)), index=genes)
    row_pos = pd.Series(np.arange(len(rows)), index=np.asarray(rows))
    col_pos = pd.Series(np.arange(len(columns)), index=np.asarray(columns))
    total = np.zeros((len(rows), len(columns)), dtype=np.float32)
    count = np.zeros((len(rows), len(columns)), dtype=np.uint16)
    for names, values in datasets:
        where = index.reindex(names).to_numpy()
        known = np.flatnonzero(~np.isnan(where))
        gene = where[known].astype(np.int64)
        r_local, r_out = _located(known, gene, row_pos)
        c_local, c_out = _located(known, gene, col_pos)
        if not len(r_local) or not len(c_local):
            continue
        z = standardise(values)
        r = np.clip(z[r_local] @ z[c_local].T, -0.999999, 0.999999)
        block = np.ix_(r_out, c_out)
        total[block] += np.arctanh(r)
        count[block] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    mean[count == 0] = -np.inf
    return mean


def _located(local: np.ndarray, gene: np.ndarray, position: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The data set's rows whose gene is in ``position``, and where they go."""
    pos = position.reindex(gene).to_numpy()
    hit = ~np.isnan(pos)
    return local[hit], pos[hit].astype(np.int64)


def coexpression_clusteredness(datasets: Iterable[tuple[np.ndarray, np.ndarray]], genes: np.ndarray,
                               gene_sets: dict[str, list[str]],
                               config: ClusterednessConfig = ClusterednessConfig()) -> dict:
    """Clusteredness of the raw co-expression (mean Fisher z in place of cosine), on the same sets
    and random genes as :func:`clusteredness` (which has refused sets that fit none): what the
    embedding's figure should be read against."""
    sets = set_indices(np.asarray(genes), gene_sets, config)
    background = np.random.default_rng(config.seed).choice(len(genes), size=min(config.random_genes, len(genes)),
                                                           replace=False)
    used = np.unique(np.concatenate([background, *sets.values()]))
    z = fisher_z_similarity(datasets, np.asarray(genes), used, used)
    at = pd.Series(np.arange(len(used)), index=used)

    def mean_pairs(members: np.ndarray) -> float:
        block = z[np.ix_(at[members].to_numpy(), at[members].to_numpy())]
        values = block[np.triu_indices(len(members), k=1)]
        values = values[np.isfinite(values)]
        return float(values.mean()) if len(values) else np.nan

    within = np.array([mean_pairs(rows) for rows in sets.values()])
    random = mean_pairs(background)
    measured = within[np.isfinite(within)]
    return {"within": float(measured.mean()), "random": random, "ratio": float(measured.mean() / random),
            "pair_auc": pair_auc(lambda rows: z[np.ix_(at[rows].to_numpy(), at[rows].to_numpy())], sets, background),
            "sets_measured": int(len(measured)), "sets_used": len(sets)}
