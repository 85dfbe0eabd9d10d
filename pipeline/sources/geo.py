"""GEO files -> expression sets: SOFT family files (parsed by GEOparse) with their platform tables.

A family file can hold samples of several platforms (GSE781: GPL96 and GPL97); each platform
becomes its own expression set, since probes of different arrays are not comparable.
Probes map to genes through the platform's own annotation columns; probes annotated with
several genes (``A /// B``) are dropped, as are probes with no gene.
"""
from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.sources.expression import ExpressionSet

log = logging.getLogger(__name__)

SYMBOL_COLUMNS = ("gene symbol", "gene_symbol", "symbol", "genesymbol", "gene symbol(s)")
ENTREZ_COLUMNS = ("entrez_gene_id", "gene id", "gene_id", "entrez gene id", "entrez", "entrezid")
MULTI_GENE = "///"


def is_soft(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(".soft")


def platform_genes(table: pd.DataFrame, source: str = "") -> pd.DataFrame:
    """Platform table -> ``symbol, entrez`` per probe id, single-gene probes only."""
    lower = {str(c).strip().lower(): c for c in table.columns}
    sym_col = next((lower[c] for c in SYMBOL_COLUMNS if c in lower), None)
    ent_col = next((lower[c] for c in ENTREZ_COLUMNS if c in lower), None)
    if sym_col is None and ent_col is None:
        raise InputError(f"platform table has no gene symbol or Entrez column (columns: "
                         f"{', '.join(map(str, table.columns[:8]))})", source)
    id_col = lower.get("id", table.columns[0])
    out = pd.DataFrame(index=pd.Index(table[id_col].astype(str).to_numpy(), name="feature"))
    symbol = table[sym_col].astype("string").str.strip() if sym_col is not None else None
    entrez = table[ent_col].astype("string").str.strip() if ent_col is not None else None
    multi = np.zeros(len(table), dtype=bool)
    for col in (symbol, entrez):
        if col is not None:
            multi |= col.str.contains(MULTI_GENE, regex=False).fillna(False).to_numpy()
    out["symbol"] = symbol.to_numpy() if symbol is not None else pd.NA
    out["entrez"] = (pd.to_numeric(entrez, errors="coerce").astype("Int64").to_numpy()
                     if entrez is not None else pd.array([pd.NA] * len(out), dtype="Int64"))
    out.loc[multi, ["symbol", "entrez"]] = pd.NA
    has_gene = out["symbol"].notna().to_numpy() | out["entrez"].notna().to_numpy()
    return out[has_gene]


def read_soft(path: str | Path, value_column: str = "VALUE") -> list[ExpressionSet]:
    """A GEO SOFT family file -> one expression set per platform (probes with a single gene)."""
    import GEOparse  # slow import; only needed for GEO files

    path = Path(path)
    _check_gzip(path)
    try:
        gse = GEOparse.get_GEO(filepath=str(path), silent=True)
    except InputError:
        raise
    except Exception as exc:  # GEOparse raises bare exceptions for malformed files
        raise InputError(f"not a parseable GEO SOFT file ({exc.__class__.__name__}: {exc})", path) from None
    if not getattr(gse, "gsms", None):
        raise InputError("no samples in SOFT file", path)
    by_platform: dict[str, list] = {}
    for gsm_id, gsm in gse.gsms.items():
        by_platform.setdefault(gsm.metadata.get("platform_id", ["?"])[0], []).append((gsm_id, gsm))
    sets = []
    for platform, gsms in sorted(by_platform.items()):
        gpl = gse.gpls.get(platform)
        if gpl is None or gpl.table.empty:
            raise InputError(f"platform {platform} has no table in the file", path)
        genes = platform_genes(gpl.table, f"{path} ({platform})")
        values = _sample_matrix(gsms, value_column, path)
        values = values.reindex(genes.index.intersection(values.index))
        sets.append(ExpressionSet(
            name=f"{gse.name}_{platform}" if len(by_platform) > 1 else gse.name,
            values=values.to_numpy(dtype=np.float64),
            features=genes.loc[values.index],
            samples=tuple(values.columns),
            scale="auto",
            source=str(path),
        ))
    return sets


def _sample_matrix(gsms: list, value_column: str, path: Path) -> pd.DataFrame:
    columns = {}
    for gsm_id, gsm in gsms:
        table = gsm.table
        if table.empty or value_column not in table.columns:
            raise InputError(f"sample {gsm_id} has no {value_column} column", path)
        series = pd.to_numeric(table[value_column], errors="coerce")
        series.index = table.iloc[:, 0].astype(str)
        if series.index.duplicated().any():
            raise InputError(f"sample {gsm_id} lists a probe twice", path)
        columns[gsm_id] = series
    frame = pd.DataFrame(columns)
    # GEO tables mark absent measurements with empty cells: keep probes measured in every sample
    complete = frame.notna().all(axis=1)
    if not complete.any():
        raise InputError("no probe has a value in every sample", path)
    if (~complete).sum():
        log.info("%s: dropped %d probes with missing values", path.name, int((~complete).sum()))
    return frame[complete]


def _check_gzip(path: Path) -> None:
    """Fail early and clearly on missing, empty or truncated files (GEOparse's errors are cryptic)."""
    if not path.is_file():
        raise InputError("file not found", path)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path)
    if path.suffix == ".gz":
        try:
            with gzip.open(path, "rb") as fh:
                while fh.read(1 << 20):
                    pass
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError):
            raise InputError("truncated or corrupt gzip file", path) from None
