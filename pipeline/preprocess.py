"""Expression preprocessing: log2 when needed, quantile normalisation, one probe per gene.

Pure functions over numpy arrays; :func:`preprocess` chains them for an
:class:`~pipeline.sources.expression.ExpressionSet` and reports what it did.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from pipeline.errors import InputError
from pipeline.sources.expression import ExpressionSet


def needs_log2(values: np.ndarray) -> bool:
    """GEO2R's rule: data whose 99th percentile exceeds 100, or that spans > 50 with a positive
    lower quartile, are raw intensities (or counts), not log values."""
    q0, q25, q99, q100 = np.quantile(values, [0.0, 0.25, 0.99, 1.0])
    return bool(q99 > 100 or (q100 - q0 > 50 and q25 > 0))


def log2_intensities(values: np.ndarray, floor: float = 1.0) -> np.ndarray:
    """log2 of array intensities; MAS5-style values below ``floor`` (noise, even negative)
    are raised to it so that no sample gets -inf or NaN."""
    return np.log2(np.maximum(values, floor))


EXPRESSED_MIN_VALUE = 1.0        # TPM / FPKM: a gene counts as expressed in a sample from 1 on
EXPRESSED_MIN_SAMPLES = 10       # ... and enters co-expression when expressed in at least 10 samples


def log2_expressed(values: np.ndarray, min_value: float = EXPRESSED_MIN_VALUE,
                   min_samples: int = EXPRESSED_MIN_SAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Normalised RNA-seq abundances (TPM, FPKM; bulk or single-cell) -> log2(x + 1), keeping genes
    expressed (>= ``min_value``) in at least ``min_samples`` samples: a gene seen in a handful of
    cells correlates with anything by chance. Returns (values, kept)."""
    if (values < 0).any():
        raise InputError("negative values in a TPM / FPKM matrix")
    kept = (values >= min_value).sum(axis=1) >= min(min_samples, values.shape[1])
    return np.log2(values[kept] + 1.0), kept


def log2_cpm(counts: np.ndarray, min_cpm: float = 1.0, min_fraction: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """RNA-seq counts -> log2(CPM + 1), keeping genes with CPM >= ``min_cpm`` in at least
    ``min_fraction`` of samples (low counts give spurious correlations). Returns (values, kept)."""
    if (counts < 0).any():
        raise InputError("negative values in a count matrix")
    lib = counts.sum(axis=0)
    if (lib <= 0).any():
        raise InputError(f"{int((lib <= 0).sum())} samples have no counts")
    cpm = counts / lib * 1e6
    kept = (cpm >= min_cpm).mean(axis=1) >= min_fraction
    return np.log2(cpm[kept] + 1.0), kept


def quantile_normalise(values: np.ndarray) -> np.ndarray:
    """Give every sample (column) the same distribution: the mean of the sorted columns.

    Ties share the average of their quantiles (as preprocessCore does), so constant blocks
    such as zeros stay equal."""
    reference = np.sort(values, axis=0).mean(axis=1)
    ranks = rankdata(values, method="average", axis=0) - 1.0
    grid = np.arange(len(reference), dtype=np.float64)
    return np.interp(ranks.ravel(order="F"), grid, reference).reshape(values.shape, order="F")


def collapse_to_genes(values: np.ndarray, genes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep, for each gene, the feature (probe) with the largest variance across samples.

    ``genes`` names the gene of each row; returns (values, kept row indices), genes sorted."""
    codes, _ = pd.factorize(genes, sort=True)
    order = np.lexsort((-values.var(axis=1), codes))   # by gene, then by decreasing variance
    first = np.ones(len(order), dtype=bool)
    first[1:] = codes[order][1:] != codes[order][:-1]
    rows = order[first]
    return values[rows], rows


def remove_components(values: np.ndarray, n: int) -> np.ndarray:
    """Genes x samples with each gene centred and the ``n`` largest principal components across
    samples removed: batches and other broad confounders make thousands of unrelated genes
    correlate, and they live in the top components (Parsana et al., Genome Biology 2019)."""
    centred = values - values.mean(axis=1, keepdims=True)
    n = min(n, min(centred.shape) - 2)
    if n <= 0:
        return centred
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    return centred - (u[:, :n] * s[:n]) @ vt[:n]


@dataclass(frozen=True)
class Preprocessed:
    """Gene x sample matrix ready for correlation, with what preprocessing did to it."""

    name: str
    genes: np.ndarray          # official symbols, one per row
    values: np.ndarray         # float32 genes x samples
    report: dict


def preprocess(es: ExpressionSet, symbols: np.ndarray | None = None, components: int = 0) -> Preprocessed:
    """ExpressionSet -> one row per gene.

    ``symbols`` gives each feature's gene (default: the set's ``symbol`` column); features
    without one are dropped. Steps: scale (log2 / log2-CPM / log2(TPM + 1)), quantile normalisation,
    probe -> gene by largest variance, constant genes dropped, then the ``components`` largest
    principal components removed (0: none, as in the paper).
    """
    values = np.asarray(es.values, dtype=np.float64)
    genes = np.asarray(es.features["symbol"] if symbols is None else symbols, dtype=object)
    report: dict = {"features": int(values.shape[0]), "samples": int(values.shape[1])}
    if values.size == 0:
        raise InputError("no data", es.source)
    if not np.isfinite(values).all():
        raise InputError(f"{int((~np.isfinite(values)).sum())} missing or infinite values", es.source)
    scale = es.scale
    if scale == "auto":
        scale = "linear" if needs_log2(values) else "log2"
    report["scale"] = scale
    if scale in ("counts", "tpm"):
        values, kept = log2_cpm(values) if scale == "counts" else log2_expressed(values)
        genes = genes[kept]
        report["low_count_features_dropped"] = int((~kept).sum())
    elif scale == "linear":
        values = log2_intensities(values)
    report["log2_applied"] = scale != "log2"
    # constant in the measurements: no correlation is defined (judged before quantile
    # normalisation, which would give such a row small spurious differences)
    varying = values.std(axis=1) > 1e-8
    values = quantile_normalise(values)
    named = pd.notna(genes) & (genes != "")
    keep = named & varying
    values, genes = values[keep], genes[keep].astype(str)
    values, rows = collapse_to_genes(values, genes)
    genes = genes[rows]
    report.update(features_without_gene=int((~named).sum()), constant_features_dropped=int((named & ~varying).sum()),
                  genes=int(len(genes)))
    if not len(genes):
        raise InputError("no gene varies across samples", es.source)
    if components:
        values = remove_components(values, components)
        report["components_removed"] = components
    return Preprocessed(es.name, genes, values.astype(np.float32), report)
