"""The evidence behind a pair and a gene, as plain functions (no Dash): per data set of the
compendium, whether each gene is measured, the Pearson r of a pair there, whether a gene is
expressed (its mean above a quantile of the data set's genes, recorded with the build; unknown in a
data set whose values were centred per gene), and
whether the ARCHS4 TF lists hold the pair.

The bundle's ``evidence_profiles.npy`` is memory-mapped and ``evidence_index.npz`` read once, on
first use (``MapData.evidence``); a bundle built before them has none: the tables are then empty,
the note None, and :func:`available` False.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.evidence import INDEX, open_files

if TYPE_CHECKING:
    from gene2vec_dash.queries import MapData

TF_LISTS = "ARCHS4 TF lists"
PAIR_COLUMNS = ["dataset", "tissue", "samples", "a_measured", "b_measured", "r", "chance_r", "above_chance",
                "in_tf_lists", "tf_rank"]
CHANCE = 0.99               # r "above chance": above this quantile of r between unrelated genes on as many samples
GENE_COLUMNS = ["dataset", "tissue", "samples", "levels", "measured", "mean", "percentile", "expressed"]


@dataclass(frozen=True)
class Evidence:
    """A bundle's evidence files, opened: data sets x embedded genes (gene k <-> the bundle's row k)."""

    datasets: pd.DataFrame      # dataset, tissue, samples, levels (False: centred per gene, expression unknown)
    row: dict[str, int]         # symbol -> column of the per-gene arrays
    rows: np.ndarray            # int32 data sets x genes: the gene's profile in its data set's block (-1: not measured)
    mean: np.ndarray            # float32 data sets x genes (NaN: not measured)
    percentile: np.ndarray      # float32 data sets x genes: share of the data set's genes with a lower mean
    expressed: np.ndarray       # bool data sets x genes: mean above the data set's ``expressed_quantile`` gene
    expressed_quantile: float
    offsets: np.ndarray         # int64: where each data set's block starts in ``profiles``
    profiles: np.ndarray        # float16, memory-mapped: each block measured genes x samples, unit rows
    tf_lists: bool              # the build used the ARCHS4 TF lists
    tf_keys: np.ndarray         # int64 sorted: min(a, b) * genes + max(a, b) of each (TF, gene of its list)
    tf_rank: np.ndarray         # int32: the gene's rank in the TF's list, in tf_keys' order
    listed: np.ndarray          # bool per gene: in some TF list (as the TF or as a gene of one)

    @classmethod
    def open(cls, folder: Path, genes: np.ndarray) -> "Evidence | None":
        """The files of bundle ``folder`` (whose genes are ``genes``, in order); None if it has none."""
        opened = open_files(folder, genes)
        if opened is None:
            return None
        arrays, profiles = opened
        n = len(genes)
        pairs = arrays["tf_pairs"].astype(np.int64)
        keys = np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1])
        if (np.diff(keys) < 0).any():
            raise InputError("tf_pairs are not sorted by pair (written by another program?)", folder / INDEX)
        listed = np.zeros(n, dtype=bool)
        listed[pairs[:, :2].ravel()] = True
        datasets = pd.DataFrame({"dataset": arrays["names"].astype(str), "tissue": arrays["tissues"].astype(str),
                                 "samples": arrays["samples"].astype(int), "levels": arrays["levels"].astype(bool)})
        return cls(datasets, {s: k for k, s in enumerate(genes.tolist())}, arrays["rows"], arrays["mean"],
                   arrays["percentile"], arrays["expressed"], float(arrays["expressed_quantile"]), arrays["offsets"],
                   profiles,
                   bool(arrays["tf_lists"]), keys, pairs[:, 2].astype(np.int32), listed)

    def tf_rank_of(self, a: int, b: int) -> int | None:
        """The best rank of one gene in the other's ARCHS4 list (None: neither lists the other)."""
        key = min(a, b) * len(self.listed) + max(a, b)
        lo, hi = np.searchsorted(self.tf_keys, [key, key + 1])
        return int(self.tf_rank[lo:hi].min()) if hi > lo else None


Source = Union["MapData", Evidence, None]


def _opened(data: Source) -> Evidence | None:
    return data if isinstance(data, Evidence) or data is None else data.evidence


def available(data: Source) -> bool:
    """Whether the bundle carries evidence (one built before the evidence stage does not)."""
    return _opened(data) is not None


def pair_evidence(data: Source, a: str, b: str) -> pd.DataFrame:
    """One row per data set: its tissue / condition and samples, whether each gene is measured
    there, and their Pearson r after the pipeline's preprocessing (NaN unless both are measured);
    then, if the build used them, a row for the ARCHS4 TF lists: whether one gene's list holds the
    other (``in_tf_lists``) and at what rank (``tf_rank``). ``chance_r`` is the r unrelated genes
    exceed by chance in 1% of data sets of that many samples, ``above_chance`` whether r exceeds it;
    ``attrs["note"]`` is :func:`coexpression_note`. Empty when the bundle has no evidence."""
    ev = _opened(data)
    if ev is None:
        empty = pd.DataFrame(columns=PAIR_COLUMNS)
        empty.attrs["note"] = None
        return empty
    ra, rb = ev.row[a], ev.row[b]
    r = [np.nan if np.isnan(x) else round(float(x), 3) for x in rs_with(ev, a, [b]).to_numpy()[0]]
    columns = {**{c: ev.datasets[c].tolist() for c in ("dataset", "tissue", "samples")},
               "a_measured": (ev.rows[:, ra] >= 0).tolist(), "b_measured": (ev.rows[:, rb] >= 0).tolist(), "r": r,
               "chance_r": [None] * len(r), "above_chance": [None] * len(r),       # from r and samples, below
               "in_tf_lists": [None] * len(r), "tf_rank": [None] * len(r)}
    if ev.tf_lists:
        rank = ev.tf_rank_of(ra, rb)
        row = (TF_LISTS, "ARCHS4 (many human RNA-seq samples)", None, bool(ev.listed[ra]), bool(ev.listed[rb]),
               np.nan, None, None, rank is not None, rank)
        for column, value in zip(PAIR_COLUMNS, row):
            columns[column].append(value)
    r = np.array(columns["r"], dtype=float)
    chance = chance_r(np.array([np.nan if n is None else n for n in columns["samples"]], dtype=float))
    found = pd.DataFrame({"dataset": columns["dataset"], "tissue": columns["tissue"],
                          "samples": pd.array(columns["samples"], dtype="Int64"),
                          "a_measured": columns["a_measured"], "b_measured": columns["b_measured"], "r": r,
                          "chance_r": np.round(chance, 3),
                          "above_chance": pd.array([None if np.isnan(x) else bool(x > c) for x, c in zip(r, chance)],
                                                   dtype="boolean"),
                          "in_tf_lists": pd.array(columns["in_tf_lists"], dtype="boolean"),
                          "tf_rank": pd.array(columns["tf_rank"], dtype="Int64")})
    found.attrs["note"] = coexpression_note(found, a, b)
    return found


def rs_with(data: Source, gene: str, others: list[str]) -> pd.DataFrame:
    """Pearson r of ``gene`` with each of ``others`` (rows) in each data set (columns, by name; NaN
    where either is not measured): one product of profiles per data set, for a list of neighbours at
    once; ``attrs["chance_r"]`` per data set (:func:`chance_r`). No columns when the bundle has no evidence."""
    ev = _opened(data)
    if ev is None:
        return pd.DataFrame(index=others)
    g, rows = ev.row[gene], np.array([ev.row[o] for o in others], dtype=np.int64)
    out = np.full((len(others), len(ev.datasets)), np.nan)
    for d, n in enumerate(ev.datasets["samples"]):
        mine, theirs = int(ev.rows[d, g]), ev.rows[d, rows]
        if mine < 0 or not (theirs >= 0).any():
            continue
        block = ev.profiles[ev.offsets[d]:ev.offsets[d + 1]].reshape(-1, int(n))
        measured = np.flatnonzero(theirs >= 0)
        mine_p = np.asarray(block[mine], np.float32)
        out[measured, d] = np.clip(np.asarray(block[theirs[measured]], np.float32) @ mine_p, -1, 1)
    found = pd.DataFrame(out, index=others, columns=ev.datasets["dataset"].tolist())
    found.attrs["chance_r"] = chance_r(ev.datasets["samples"].to_numpy(dtype=float))
    return found


def chance_r(samples: np.ndarray, quantile: float = CHANCE) -> np.ndarray:
    """The r that unrelated genes exceed in a share 1 - ``quantile`` of data sets of ``samples``
    samples (Fisher's z: atanh(r) is normal with sd 1 / sqrt(n - 3) under no correlation); 1 when
    n <= 3, NaN when n is."""
    from statistics import NormalDist

    n = np.asarray(samples, dtype=float)
    z = NormalDist().inv_cdf(quantile)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 3, np.tanh(z / np.sqrt(np.maximum(n - 3, 1e-9))), np.where(np.isnan(n), np.nan, 1.0))


def coexpression_note(found: pd.DataFrame, a: str, b: str) -> str | None:
    """One sentence when a relation of ``a`` and ``b`` lies outside what this compendium's
    co-expression sees (``found``: :func:`pair_evidence`): no data set measures both, or none gives
    them an r above chance (:func:`chance_r`); and the ARCHS4 TF lists, if the build used them, do
    not pair them. None otherwise (and for a bundle without evidence)."""
    if found.empty:
        return None
    tf = found[found["dataset"] == TF_LISTS]
    if not tf.empty and bool(tf["in_tf_lists"].fillna(False).iloc[0]):
        return None
    rows = found[found["dataset"] != TF_LISTS]
    both = rows[rows["a_measured"] & rows["b_measured"]]
    nor = ", and the ARCHS4 TF lists do not pair them" if not tf.empty else ""
    if both.empty:
        return f"No data set of the compendium measures both {a} and {b}{nor}: co-expression cannot see this relation."
    if both["above_chance"].fillna(False).any():
        return None
    top = both.loc[both["r"].idxmax()]
    where = top["tissue"] if "tissue" in both and top["tissue"] else top["dataset"]
    return (f"None of the {len(both)} data sets that measure both {a} and {b} gives them an r above chance "
            f"(the largest, r {top['r']:.2f} in {where}, is under the {top['chance_r']:.2f} that 1% of unrelated "
            f"pairs reach on its {top['samples']} samples){nor}: co-expression cannot see this relation.")


def gene_expression(data: Source, gene: str) -> pd.DataFrame:
    """One row per data set: whether ``gene`` is measured there, its mean expression after the
    pipeline's preprocessing (log2 scale), the share of the data set's genes below it, and whether it
    is expressed (that share above the build's ``expressed_quantile``, 0.75 by default); in a data set
    without ``levels`` (centred per gene) the three are unknown: NaN, NaN, False. Empty when the
    bundle has no evidence."""
    ev = _opened(data)
    if ev is None:
        return pd.DataFrame(columns=GENE_COLUMNS)
    g = ev.row[gene]
    return ev.datasets.assign(measured=ev.rows[:, g] >= 0, mean=np.round(ev.mean[:, g].astype(float), 2),
                              percentile=np.round(ev.percentile[:, g].astype(float), 3),
                              expressed=ev.expressed[:, g])[GENE_COLUMNS]


def expression_note(data: Source, gene: str) -> str | None:
    """What the support words must add when no data set of the compendium expresses ``gene`` (None:
    some data set does, or the bundle has no evidence): its contexts then come from data sets where
    it is barely above noise, or from outside the expression data. Data sets centred per gene say
    nothing either way: a gene measured only there gets no note."""
    ev = _opened(data)
    if ev is None:
        return None
    g, total = ev.row[gene], len(ev.datasets)
    measured = ev.rows[:, g] >= 0
    levels = measured & ev.datasets["levels"].to_numpy()
    if ev.expressed[:, g].any() or (measured.any() and not levels.any()):
        return None
    if measured.any():
        below = "the median gene" if ev.expressed_quantile == 0.5 else f"{ev.expressed_quantile:.0%} of genes"
        centred = int((measured & ~levels).sum())
        also = f" (and in {centred} centred per gene, where its level is unknown)" if centred else ""
        return (f"placed by co-expression in data sets where it is barely expressed: measured in "
                f"{int(levels.sum())} of {total} data sets{also}, below {below} in each")
    if ev.tf_lists and ev.listed[g]:
        return f"measured in none of the compendium's {total} data sets: placed by the ARCHS4 TF lists alone"
    return f"measured in none of the compendium's {total} data sets"
