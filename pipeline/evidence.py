"""The evidence behind a pair and a gene: per data set, each embedded gene's z-scored profile (so
that Pearson r of two genes there is one dot product), its mean expression and whether it is
expressed there (its mean above a quantile of the data set's genes: the median or higher; unknown in
a data set whose values were centred per gene, as TCGA GBM's are); and which pairs the ARCHS4 TF
lists hold.

Pure functions over arrays; the stage (:mod:`pipeline.stages.evidence`) reads the data sets and
writes the two files the app memory-maps (:data:`PROFILES`) and loads (:data:`INDEX`);
:func:`open_files` reads and checks them for both (the app's :class:`gene2vec_dash.evidence.Evidence`),
:func:`read_profiles` the profiles for the pipeline (function prediction, its evaluation).
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.coexpression import standardise
from pipeline.errors import InputError
from pipeline.preprocess import remove_components

PROFILES = "evidence_profiles.npy"    # float16, every data set's unit profiles one after another (flat)
INDEX = "evidence_index.npz"          # where each gene's profile starts, means, expressed, TF-list pairs
FORMAT = 2                            # 2: ``levels`` per data set
LEVELS_MIN_SPREAD = 0.1               # gene means spread less than this x a gene's own SD: centred per gene

_SCALE_WORDS = re.compile(r"\b(log2|RMA|counts?|CPM|FPKM|TPM|gene-level|expression)\b", re.IGNORECASE)


def condition(what: str) -> str:
    """A data set's tissue / condition from the compendium's description of it: the clauses before
    the first ';' that are not about the values' scale ("influenza challenge time course, blood,
    log2 gene-level values" -> "influenza challenge time course, blood")."""
    clauses = [c.strip() for c in what.split(";")[0].split(",")]
    return ", ".join(c for c in clauses if c and not _SCALE_WORDS.search(c))


@dataclass(frozen=True)
class DatasetEvidence:
    """One data set, over the embedded genes (row k <-> embedded gene k)."""

    name: str
    tissue: str
    samples: int
    rows: np.ndarray          # int32: the gene's row in ``profiles`` (-1: not measured here)
    profiles: np.ndarray      # float16 measured genes x samples, rows centred and of unit norm
    mean: np.ndarray          # float32 mean expression after preprocessing (NaN: not measured)
    percentile: np.ndarray    # float32 share of the data set's genes with a lower mean (NaN: not measured)
    expressed: np.ndarray     # bool: mean above the data set's ``expressed_quantile`` gene (False without levels)
    levels: bool              # the values keep expression levels (False: centred per gene, levels unknown)


def keeps_levels(values: np.ndarray) -> bool:
    """Whether a data set's genes differ in mean expression: a study that centred every gene (TCGA GBM
    in GSVAdata) leaves means within a hair of one another, and ranking them says nothing about which
    genes are expressed, while a log2 matrix spreads them over several units, far more than any one
    gene varies across samples."""
    spread = float(np.std(values.mean(axis=1))) if len(values) else 0.0
    return bool(len(values)) and spread >= LEVELS_MIN_SPREAD * float(np.median(values.std(axis=1)))


def dataset_evidence(name: str, tissue: str, genes: np.ndarray, values: np.ndarray, embedded: np.ndarray,
                     components: int = 0, expressed_quantile: float = 0.5) -> DatasetEvidence:
    """``values``: the data set after the pipeline's preprocessing *before* any component removal
    (genes x samples, one row per gene of ``genes``); the means come from it, the profiles from it
    after the same ``components`` the co-expression stage removed, so r here is r there. Without levels
    (:func:`keeps_levels`) the means, percentiles and ``expressed`` are NaN / NaN / False: unknown."""
    levels = keeps_levels(values)
    means = values.mean(axis=1) if levels else np.full(len(values), np.nan)
    order = np.argsort(means, kind="stable")
    lower = np.empty(len(means))
    lower[order] = np.arange(len(means))                 # how many genes have a lower mean (ties: by order)
    where = pd.Index(np.asarray(genes, dtype=str)).get_indexer(np.asarray(embedded, dtype=str))
    measured = where >= 0
    kept = where[measured]
    profiles = standardise((remove_components(values, components) if components else values)[kept])
    rows = np.full(len(embedded), -1, dtype=np.int32)
    rows[measured] = np.arange(measured.sum(), dtype=np.int32)

    def spread(x: np.ndarray, fill) -> np.ndarray:
        out = np.full(len(embedded), fill, dtype=np.asarray(x).dtype)
        out[measured] = x[kept]
        return out

    share = lower / max(len(means) - 1, 1) if levels else means
    expressed = means > np.quantile(means, expressed_quantile) if levels else np.zeros(len(means), bool)
    return DatasetEvidence(name, tissue, int(values.shape[1]), rows, profiles.astype(np.float16),
                           spread(means.astype(np.float32), np.nan), spread(share.astype(np.float32), np.nan),
                           spread(expressed, False), levels)


def tf_list_pairs(lists: pd.DataFrame, embedded: np.ndarray) -> np.ndarray:
    """ARCHS4 TF lists (``a``: the TF, ``b``: a gene of its list, rows in list order) -> int32 rows
    (TF, gene, rank in the TF's list from 1) over the embedded genes, both genes embedded, sorted by
    (smaller row, larger row)."""
    rank = lists.groupby("a", sort=False).cumcount().to_numpy() + 1
    index = pd.Index(np.asarray(embedded, dtype=str))
    a, b = index.get_indexer(lists["a"].astype(str)), index.get_indexer(lists["b"].astype(str))
    keep = (a >= 0) & (b >= 0)
    a, b, rank = a[keep], b[keep], rank[keep]
    order = np.lexsort((np.maximum(a, b), np.minimum(a, b)))     # by the unordered pair: a reader's binary search
    return np.column_stack([a, b, rank])[order].astype(np.int32)


def write_evidence(folder: Path, embedded: np.ndarray, sets: list[DatasetEvidence], tf_pairs: np.ndarray | None,
                   expressed_quantile: float) -> dict:
    """The two files; returns what the manifest records of them."""
    sizes = [s.profiles.size for s in sets]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    flat = np.concatenate([s.profiles.ravel() for s in sets]) if sets else np.empty(0, np.float16)
    np.save(folder / PROFILES, flat.astype(np.float16))

    def stack(field: str, dtype) -> np.ndarray:
        return (np.stack([getattr(s, field) for s in sets]).astype(dtype) if sets
                else np.empty((0, len(embedded)), dtype))

    np.savez_compressed(
        folder / INDEX, format=np.array(FORMAT), genes=np.asarray(embedded, dtype=str),
        names=np.array([s.name for s in sets], dtype=str), tissues=np.array([s.tissue for s in sets], dtype=str),
        samples=np.array([s.samples for s in sets], dtype=np.int32), offsets=offsets,
        rows=stack("rows", np.int32), mean=stack("mean", np.float32), percentile=stack("percentile", np.float32),
        expressed=stack("expressed", bool), expressed_quantile=np.array(expressed_quantile),
        levels=np.array([s.levels for s in sets], dtype=bool),
        tf_lists=np.array(tf_pairs is not None),
        tf_pairs=tf_pairs if tf_pairs is not None else np.empty((0, 3), np.int32))
    return {"files": {name: (folder / name).stat().st_size for name in (PROFILES, INDEX)},
            "datasets": [{"name": s.name, "tissue": s.tissue, "samples": s.samples,
                          "genes_measured": int((s.rows >= 0).sum()),
                          "genes_expressed": int(s.expressed.sum()) if s.levels else None}
                         for s in sets],
            "tf_list_pairs": None if tf_pairs is None else int(len(tf_pairs))}


def open_files(folder: Path, genes: np.ndarray) -> tuple[dict, np.ndarray] | None:
    """The index's arrays and the memory-mapped flat profiles of ``folder``, checked against the
    bundle's ``genes`` (in order) and one another; None when the folder has neither file. One of the
    two missing, unreadable, or of another build: an :class:`InputError` naming the file. The app and
    the pipeline both read the files through it."""
    index_path, profiles_path = folder / INDEX, folder / PROFILES
    if not index_path.is_file() and not profiles_path.is_file():
        return None
    try:
        with np.load(index_path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"unreadable ({exc.__class__.__name__}: {str(exc)[:60]})", index_path) from None
    try:
        profiles = np.load(profiles_path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"unreadable ({exc.__class__.__name__}: {str(exc)[:60]})", profiles_path) from None
    if int(arrays.get("format", 0)) == 1 and "levels" not in arrays:
        # format 1 came before the centred data sets: every one it holds kept its levels
        arrays["levels"] = np.ones(len(arrays.get("names", ())), dtype=bool)
        arrays["format"] = np.array(FORMAT)
    _check(arrays, profiles, np.asarray(genes, dtype=str), index_path)
    return arrays, profiles


def _check(arrays: dict, profiles: np.ndarray, genes: np.ndarray, path: Path) -> None:
    """Every array present, of the bundle's genes and of one another's shapes."""
    needed = ("format", "genes", "names", "tissues", "samples", "levels", "offsets", "rows", "mean", "percentile",
              "expressed", "expressed_quantile", "tf_lists", "tf_pairs")
    missing = [k for k in needed if k not in arrays]
    if missing:
        raise InputError(f"lacks arrays {missing}", path)
    if int(arrays["format"]) != FORMAT:
        raise InputError(f"evidence format {int(arrays['format'])}, this program reads {FORMAT}: rebuild", path)
    if arrays["genes"].shape != genes.shape or (arrays["genes"].astype(str) != genes).any():
        raise InputError("lists other genes than the bundle (or in another order)", path)
    d, n = len(arrays["names"]), len(genes)
    blocks = np.array([(int((arrays["rows"][k] >= 0).sum()) * int(arrays["samples"][k])) for k in range(d)]
                      if arrays["rows"].shape == (d, n) else [], dtype=np.int64)
    if (any(arrays[k].shape != (d, n) for k in ("rows", "mean", "percentile", "expressed"))
            or arrays["offsets"].shape != (d + 1,) or arrays["levels"].shape != (d,)
            or not np.array_equal(np.diff(arrays["offsets"]), blocks)
            or profiles.ndim != 1 or len(profiles) != arrays["offsets"][-1]):
        raise InputError(f"arrays of inconsistent shapes (or {PROFILES} of another build)", path)
    pairs = arrays["tf_pairs"]
    if pairs.ndim != 2 or pairs.shape[1] != 3 or (len(pairs) and (pairs[:, :2].min() < 0 or pairs[:, :2].max() >= n)):
        raise InputError("tf_pairs must be rows (TF, gene, rank) of the bundle's genes", path)


def read_profiles(folder: Path, genes: np.ndarray) -> tuple[list[np.ndarray], np.ndarray] | None:
    """The unit profiles of each data set (float32, measured genes x samples) and ``rows`` (data sets
    x genes: a gene's row in its data set's profiles, -1 when not measured) from a folder's evidence
    files (:func:`open_files`); None when the folder has no evidence files or no data set."""
    opened = open_files(folder, genes)
    if opened is None:
        return None
    index, flat = opened
    offsets, samples = index["offsets"], index["samples"]
    if not len(samples):
        return None
    return ([np.asarray(flat[offsets[d]:offsets[d + 1]], dtype=np.float32).reshape(-1, samples[d])
             for d in range(len(samples))], index["rows"])
