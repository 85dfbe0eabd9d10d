"""GEO files -> expression sets: SOFT family files (parsed by GEOparse) with their platform tables.

A family file can hold samples of several platforms (GSE781: GPL96 and GPL97); each platform
becomes its own expression set, since probes of different arrays are not comparable.
Probes map to genes through the platform's own annotation columns; probes annotated with
several genes (``A /// B``) are dropped, as are probes with no gene.
"""
from __future__ import annotations

import gzip
import io
import logging
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.sources.expression import ExpressionSet
from pipeline.sources.textfile import open_text

log = logging.getLogger(__name__)

SYMBOL_COLUMNS = ("gene symbol", "gene_symbol", "symbol", "genesymbol", "gene symbol(s)")
ENTREZ_COLUMNS = ("entrez_gene_id", "gene id", "gene_id", "entrez gene id", "entrez", "entrezid")
MULTI_GENE = "///"


def is_soft(path: Path) -> bool:
    name = path.name.lower().removesuffix(".gz")
    return name.endswith(".soft")


def is_series_matrix(path: Path) -> bool:
    return path.name.lower().removesuffix(".gz").endswith("_series_matrix.txt")


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
    symbol = _cleaned(table[sym_col]) if sym_col is not None else None
    entrez = _cleaned(table[ent_col]) if ent_col is not None else None
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


def _cleaned(column: pd.Series) -> pd.Series:
    """Annotation strings with GEO's placeholders for "no gene" ("", "---", "NA") as missing."""
    text = column.astype("string").str.strip()
    return text.mask(text.isin(["", "---", "NA", "null"]))


def read_soft(path: str | Path, platform: str = "", value_column: str = "VALUE") -> list[ExpressionSet]:
    """A GEO SOFT family file -> one expression set per platform (probes with a single gene);
    with ``platform``, only that platform's samples."""
    import GEOparse  # slow import; only needed for GEO files

    path = Path(path)
    _check_tables(path)
    try:
        gse = GEOparse.get_GEO(filepath=str(path), silent=True)
    except InputError:
        raise
    except Exception as exc:  # GEOparse raises bare exceptions (some with multi-line messages) for malformed files
        raise InputError(f"not a parseable GEO SOFT file ({exc.__class__.__name__}: {' '.join(str(exc).split())})",
                         path) from None
    if not getattr(gse, "gsms", None):
        raise InputError("no samples in SOFT file", path)
    by_platform: dict[str, list] = {}
    for gsm_id, gsm in gse.gsms.items():
        by_platform.setdefault(gsm.metadata.get("platform_id", ["?"])[0], []).append((gsm_id, gsm))
    if platform:
        if platform not in by_platform:
            raise InputError(f"no sample on {platform} (platforms: {', '.join(sorted(by_platform))})", path)
        by_platform = {platform: by_platform[platform]}
    sets = []
    for gpl_id, gsms in sorted(by_platform.items()):
        gpl = gse.gpls.get(gpl_id)
        if gpl is None or gpl.table.empty:
            raise InputError(f"platform {gpl_id} has no table in the file", path)
        genes = platform_genes(gpl.table, f"{path} ({gpl_id})")
        values = _sample_matrix(gsms, value_column, path)
        values = values.reindex(genes.index.intersection(values.index))
        sets.append(ExpressionSet(
            name=f"{gse.name}_{gpl_id}" if len(by_platform) > 1 else gse.name,
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


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InputError("file not found", path)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path)


def _check_tables(path: Path) -> None:
    """One pass before GEOparse, which accepts a file cut inside a table and silently loses the
    probes after the cut: every ``!..._table_begin`` needs its ``!..._table_end``, and no fewer
    rows than its ``!..._data_row_count`` says. Missing, empty or truncated gzip files fail here
    too, clearly (GEOparse's errors are cryptic)."""
    _check_file(path)
    entity, stated, rows, end = "", None, None, ""    # rows: None outside a table, -1 before its header
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as fh:
            for line in fh:
                if rows is not None:
                    if line.startswith(b"!") and line.rstrip().endswith(b"_table_end"):
                        if stated is not None and rows < stated:
                            raise InputError(f"{entity}: table has {rows} rows, its data_row_count says {stated}", path)
                        rows = None
                    elif line.startswith(b"^"):
                        following = line[1:].decode("utf-8", "replace").strip()
                        raise InputError(f"{entity}: its table has no {end} before {following}", path)
                    elif line.strip():
                        rows += 1
                elif line.startswith(b"^"):
                    kind, _, name = line[1:].decode("utf-8", "replace").partition("=")
                    entity, stated = f"{kind.strip().lower()} {name.strip()}", None
                elif line.startswith(b"!"):
                    key, _, value = line.partition(b"=")
                    if key.rstrip().endswith(b"_data_row_count") and value.strip().isdigit():
                        stated = int(value)
                    elif key.rstrip().endswith(b"_table_begin"):
                        rows, end = -1, key.strip().decode("ascii", "replace").removesuffix("begin") + "end"
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError):
        raise InputError("truncated or corrupt gzip file", path) from None
    if rows is not None:
        of = "" if stated is None else f" of {stated}"
        raise InputError(f"{entity}: the file ends inside its table, after {max(rows, 0)}{of} rows with no {end} "
                         "(truncated?)", path)


# --- series matrix files ---------------------------------------------------------------------

def read_series_matrix(path: str | Path, platform: str = "") -> list[ExpressionSet]:
    """``GSExxx_series_matrix.txt(.gz)``: the values table of one platform. Probe -> gene comes
    from the platform's table, which must lie beside it as ``GPLxxx.annot.gz``, ``GPLxxx.soft(.gz)``
    or ``GPLxxx_family.soft.gz`` (series matrix files carry no annotation)."""
    path = Path(path)
    _check_file(path)
    meta: dict[str, str] = {}
    rows: list[list[str]] = []
    with open_text(path, errors="replace") as fh:
        in_table = False
        for line in fh:
            if line.startswith("!series_matrix_table_begin"):
                in_table = True
            elif line.startswith("!series_matrix_table_end"):
                in_table = False
            elif in_table:
                rows.append([f.strip().strip('"') for f in line.rstrip("\n").split("\t")])
            elif line.startswith("!Series_") and "\t" in line:
                key, _, value = line.partition("\t")
                meta.setdefault(key, value.strip().strip('"'))
    if len(rows) < 2:
        raise InputError("no !series_matrix_table_begin ... _end table", path)
    header, body = rows[0], rows[1:]
    samples = header[1:]
    dup = pd.Index(samples)[pd.Index(samples).duplicated()]
    if len(dup):
        raise InputError(f"duplicate sample id {dup[0]!r}", path)
    if any(len(r) != len(header) for r in body):
        bad = next(k for k, r in enumerate(body) if len(r) != len(header))
        raise InputError(f"table row {bad + 1} has {len(body[bad])} fields, header has {len(header)}", path)
    frame = pd.DataFrame([r[1:] for r in body], index=[r[0] for r in body], columns=samples)
    values = frame.apply(pd.to_numeric, errors="coerce")
    text = values.isna() & frame.ne("") & ~frame.isin(["null", "NA", "NaN"])
    if text.to_numpy().any():
        r, c = np.argwhere(text.to_numpy())[0]
        raise InputError(f"non-numeric value {frame.iat[r, c]!r} for {frame.index[r]} in {samples[c]}", path)
    values = values[values.notna().all(axis=1)]
    gpl_id = meta.get("!Series_platform_id", "")
    if platform and gpl_id != platform:
        raise InputError(f"platform {gpl_id or 'unknown'}, not {platform}", path)
    genes = platform_genes(read_platform_table(_platform_file(path, gpl_id)), f"{path} ({gpl_id})")
    values = values.loc[values.index.intersection(genes.index)]
    if values.empty:
        raise InputError(f"no probe of the table is annotated with a gene in {gpl_id}'s table", path)
    name = meta.get("!Series_geo_accession") or path.name.split("_")[0]
    return [ExpressionSet(name, values.to_numpy(dtype=np.float64), genes.loc[values.index],
                          tuple(values.columns), "auto", str(path))]


def _platform_file(path: Path, platform: str) -> Path:
    if not platform:
        raise InputError("no !Series_platform_id line: cannot tell which platform annotates it", path)
    for name in (f"{platform}.annot.gz", f"{platform}.annot", f"{platform}.soft.gz", f"{platform}.soft",
                 f"{platform}_family.soft.gz", f"{platform}.txt"):
        if (path.parent / name).is_file():
            return path.parent / name
    raise InputError(f"no annotation for platform {platform}: put {platform}.annot.gz (GEO's platform "
                     "annotation) next to it", path)


def read_platform_table(path: Path) -> pd.DataFrame:
    """The probe table between ``!platform_table_begin`` and ``_end`` of a GPL SOFT or .annot file
    (or a plain tab-separated table with an ID column)."""
    _check_file(path)
    with open_text(path, errors="replace") as fh:
        text = fh.read()
    begin = text.find("!platform_table_begin")
    if begin >= 0:
        end = text.find("!platform_table_end", begin)
        text = text[text.index("\n", begin) + 1:end if end >= 0 else len(text)]
    try:
        return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, comment=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"unreadable platform table ({str(exc).splitlines()[0]})", path) from None
