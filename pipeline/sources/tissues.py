"""Tissue expression in GCT 1.2 (the GTEx portal's gene median TPM file, and the demo's Body Map).

GCT 1.2: a ``#1.2`` line, a ``ROWS<TAB>COLUMNS`` line, then a table whose first two columns are
``Name`` (GTEx: Ensembl id with version) and ``Description`` (GTEx: symbol) and whose other
columns are tissues.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.sources.genes import GeneTable
from pipeline.sources.textfile import open_text


def read_gct(path: str | Path) -> pd.DataFrame:
    """GCT -> DataFrame with ``Name``, ``Description`` and one float column per tissue."""
    path = Path(path)
    try:
        with open_text(path) as fh:
            version = fh.readline().strip()
            if not version.startswith("#1."):
                raise InputError(f"not a GCT file (first line {version[:20]!r}, expected '#1.2')", path)
            dims = fh.readline().split("\t")
            frame = pd.read_csv(fh, sep="\t", dtype={"Name": str, "Description": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"malformed GCT table ({str(exc).splitlines()[0]})", path) from None
    if list(frame.columns[:2]) != ["Name", "Description"]:
        raise InputError(f"GCT columns must start with Name, Description (got {list(frame.columns[:2])})", path)
    tissues = frame.columns[2:]
    if len(tissues) < 2:
        raise InputError("fewer than 2 tissue columns", path)
    try:
        rows = int(dims[0])
    except (ValueError, IndexError):
        raise InputError("second line must give the number of rows and columns", path) from None
    if rows != len(frame):
        raise InputError(f"header says {rows} rows but the table has {len(frame)} (truncated?)", path)
    values = frame[tissues].apply(pd.to_numeric, errors="coerce")
    if values.isna().to_numpy().any():
        bad = int(values.isna().to_numpy().sum())
        raise InputError(f"{bad} missing or non-numeric expression values", path)
    if (values.to_numpy() < 0).any():
        raise InputError("negative expression values (expected TPM)", path)
    frame[tissues] = values
    return frame


def tissue_expression(gct: pd.DataFrame, genes: GeneTable) -> pd.DataFrame:
    """GCT rows -> one row per official symbol (Ensembl id first, then the symbol column);
    where several rows map to one gene, the most expressed one is kept."""
    tissues = list(gct.columns[2:])
    by_id = genes.resolve(gct["Name"])["symbol"]
    by_symbol = genes.resolve(gct["Description"].fillna(""))["symbol"]
    symbol = by_id.fillna(by_symbol).to_numpy()
    values = gct[tissues].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(values, columns=tissues)
    frame["symbol"] = symbol
    frame["_mean"] = values.mean(axis=1)
    frame = frame.dropna(subset=["symbol"]).sort_values("_mean", ascending=False)
    return frame.drop_duplicates("symbol").set_index("symbol")[tissues]
