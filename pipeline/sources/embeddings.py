"""Embedding files: word2vec text format (``N DIMS`` header, then ``GENE v1 v2 ...``), the paper's
released ``gene2vec_dim_200_iter_9.txt`` (``GENE<TAB>v1 v2 ...``, no header), a bundle folder, or
what ``export`` writes: ``.npy`` with its ``.genes.txt`` beside it, ``.h5ad`` (genes as
``obs_names``, vectors as ``X``) and ``.parquet`` (a ``symbol`` column and ``dim_`` columns).

Every command that takes an embedding reads it here, so the vectors are checked once, before any
work: a file the map or cosine cannot use (:func:`pipeline.layout.unmappable`), or gene names
that a word2vec text file cannot hold, is refused with one line naming the file."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.layout import unmappable
from pipeline.sources.textfile import open_text


def read_embedding(path: str | Path) -> Embedding:
    """The vectors of a file or bundle folder, refused when the map or cosine cannot use them."""
    path = Path(path)
    if path.is_dir():
        from pipeline.bundle import read_bundle

        bundle = read_bundle(path)
        emb, path = Embedding(bundle.genes["symbol"].to_numpy(dtype=str), bundle.vectors), path / "embedding.npy"
    elif not path.is_file():
        raise InputError("embedding file not found", path)
    else:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")      # what they warn of (overflow, duplicate names) is refused below
            emb = READERS.get(path.suffix.lower(), _read_text)(path)
    with np.errstate(all="ignore"):
        problem = unmappable(emb.vectors, emb.genes)
    if problem:
        raise InputError(problem, path)
    return emb


def _read_npy(path: Path) -> Embedding:
    from pipeline.bundle import read_gene_names, read_vectors
    from pipeline.export import genes_file

    names = genes_file(path)
    if not names.is_file():
        raise InputError(f"a .npy embedding needs its gene order beside it, in {names.name}", path)
    genes = read_gene_names(names)
    return Embedding(genes, read_vectors(path, genes, names.name).astype(np.float32))


def _read_h5ad(path: Path) -> Embedding:
    import anndata
    from scipy import sparse

    try:
        adata = anndata.read_h5ad(path)
    except Exception as exc:      # h5py and anndata raise many types for a damaged file
        raise InputError(f"not a readable .h5ad file ({exc.__class__.__name__}: {str(exc)[:60]})", path) from None
    x = adata.X.toarray() if sparse.issparse(adata.X) else np.asarray(adata.X)
    return _checked(np.asarray(adata.obs_names, dtype=str), x, path)


def _read_parquet(path: Path) -> Embedding:
    import pandas as pd

    from pipeline.export import DIM_PREFIX

    try:
        table = pd.read_parquet(path)
    except Exception as exc:      # pyarrow raises several types for damaged files
        raise InputError(f"unreadable ({exc.__class__.__name__})", path) from None
    dims = [f"{DIM_PREFIX}{k}" for k in range(len(table.columns)) if f"{DIM_PREFIX}{k}" in table.columns]
    if "symbol" not in table.columns or not dims:
        raise InputError(f"needs a 'symbol' column and {DIM_PREFIX}0, {DIM_PREFIX}1, ... columns", path)
    missing = table["symbol"].isna().to_numpy()
    if missing.any():
        raise InputError(f"row {int(missing.argmax()) + 1} has no symbol (null)", path)
    if not all(pd.api.types.is_numeric_dtype(table[c]) for c in dims):
        raise InputError(f"its {DIM_PREFIX} columns must hold numbers", path)
    return _checked(table["symbol"].astype(str).to_numpy(), table[dims].to_numpy(dtype=np.float32), path)


def _checked(genes: np.ndarray, vectors: np.ndarray, path: Path) -> Embedding:
    """Genes named once each, vectors of finite floats, one row per gene."""
    unique, counts = np.unique(genes, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"gene {str(unique[counts > 1][0])[:40]!r} appears twice", path)
    if vectors.ndim != 2 or len(vectors) != len(genes) or vectors.shape[1] < 2:
        raise InputError(f"holds an array of shape {vectors.shape} for {len(genes):,} genes", path)
    if not np.isfinite(vectors).all():
        raise InputError("holds NaN or infinity", path)
    return Embedding(genes, vectors.astype(np.float32))


def _read_text(path: Path) -> Embedding:
    with open_text(path, "embedding file") as fh:
        lines = fh.read().splitlines()
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise InputError("file is empty", path)
    header = lines[0].split()
    expected = None
    if len(header) == 2 and all(h.isdigit() for h in header):
        expected = (int(header[0]), int(header[1]))
        lines = lines[1:]
        if not lines:
            raise InputError(f"header says {expected[0]} genes x {expected[1]} dims but the file holds no vectors",
                             path)
    genes, rows = _parse(lines, path, first_line=2 if expected else 1)
    vectors = _to_matrix(rows, genes, path, first_line=2 if expected else 1)
    if expected and (len(genes), vectors.shape[1]) != expected:
        raise InputError(f"header says {expected[0]} genes x {expected[1]} dims but the file has "
                         f"{len(genes)} x {vectors.shape[1]} (truncated?)", path)
    seen: dict[str, int] = {}
    for k, g in enumerate(genes):
        if g in seen:
            raise InputError(f"gene {g!r} appears twice (lines {seen[g]} and {k + (2 if expected else 1)})", path)
        seen[g] = k + (2 if expected else 1)
    return Embedding(np.array(genes), vectors)


def _parse(lines: list[str], path: Path, first_line: int) -> tuple[list[str], list[str]]:
    genes, rows = [], []
    for k, line in enumerate(lines):
        if "\t" in line:
            gene, _, rest = line.partition("\t")
        else:
            gene, _, rest = line.strip().partition(" ")
        gene = gene.strip()
        if not gene:
            raise InputError(f"line {k + first_line} has no gene name", path)
        if " " in gene or not gene.isprintable():
            raise InputError(f"line {k + first_line}: gene name {gene!r} holds a space or control character, "
                             "which the word2vec text format cannot hold", path)
        if not rest.strip():
            raise InputError(f"line {k + first_line} has a gene but no numbers", path)
        genes.append(gene)
        rows.append(rest)
    return genes, rows


def _to_matrix(rows: list[str], genes: list[str], path: Path, first_line: int) -> np.ndarray:
    widths = np.fromiter((len(r.split()) for r in rows), dtype=np.int64, count=len(rows))
    if (widths != widths[0]).any():
        k = int(np.flatnonzero(widths != widths[0])[0])
        raise InputError(f"ragged rows: line {k + first_line} ({genes[k]}) has {widths[k]} values, "
                         f"line {first_line} has {widths[0]}", path)
    try:
        vectors = np.array(" ".join(rows).split(), dtype=np.float32).reshape(len(rows), widths[0])
    except ValueError:
        for k, r in enumerate(rows):
            try:
                np.array(r.split(), dtype=np.float32)
            except ValueError:
                raise InputError(f"non-numeric value on line {k + first_line} ({genes[k]})", path) from None
        raise
    return vectors


READERS = {".npy": _read_npy, ".h5ad": _read_h5ad, ".parquet": _read_parquet}
