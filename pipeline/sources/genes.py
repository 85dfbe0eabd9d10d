"""The human gene table (Entrez id, symbol, type, description, aliases, Ensembl ids).

Every data source names genes its own way (old symbols, aliases, Ensembl ids, lower-case
``C2ORF78``); :meth:`GeneTable.resolve` maps them to one current official symbol so that
co-expression, gene sets, GO and tissues all speak of the same genes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.sources.textfile import open_text

COLUMNS = ["entrez", "symbol", "description", "type_of_gene", "aliases", "ensembl"]


@dataclass(frozen=True)
class GeneTable:
    """One row per gene; ``aliases`` and ``ensembl`` are ``|``-joined strings."""

    frame: pd.DataFrame
    _maps: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        missing = [c for c in COLUMNS if c not in self.frame.columns]
        if missing:
            raise InputError(f"gene table lacks columns {missing}")

    def __len__(self) -> int:
        return len(self.frame)

    def _lookup(self) -> dict[str, dict[str, int]]:
        """Unambiguous name -> entrez maps, built once (official symbols win over aliases)."""
        if self._maps:
            return self._maps
        f = self.frame
        entrez = f["entrez"].to_numpy()
        symbol = dict(zip(f["symbol"], entrez))
        upper = _unique_map(f["symbol"].str.upper(), entrez)
        alias = _exploded_unique(f["aliases"], entrez, exclude=symbol)
        alias_upper = _unique_map(pd.Series(list(alias)).str.upper(), np.array(list(alias.values())))
        ensembl = _exploded_unique(f["ensembl"], entrez)
        self._maps.update(symbol=symbol, upper=upper, alias=alias, alias_upper=alias_upper,
                          ensembl=ensembl, entrez={str(e): int(e) for e in entrez})
        return self._maps

    def resolve(self, names: Iterable[str]) -> pd.DataFrame:
        """Map names to genes; columns ``query, entrez, symbol, how`` (how is None if unmapped).

        Order of trust: official symbol, symbol ignoring case, Ensembl id (version
        stripped), Entrez id, unambiguous alias, alias ignoring case.
        """
        maps = self._lookup()
        query = pd.Series(list(names), dtype=object).astype(str).str.strip()
        out = pd.Series(np.nan, index=query.index, dtype=float)
        how = pd.Series(None, index=query.index, dtype=object)
        keys = {
            "symbol": query,
            "case": query.str.upper(),
            "ensembl": query.str.replace(r"\.\d+$", "", regex=True),
            "entrez": query,
            "alias": query,
            "alias_case": query.str.upper(),
        }
        table = {"symbol": "symbol", "case": "upper", "ensembl": "ensembl", "entrez": "entrez",
                 "alias": "alias", "alias_case": "alias_upper"}
        for name, key in keys.items():
            todo = out.isna()
            if not todo.any():
                break
            hit = key[todo].map(maps[table[name]])
            found = hit.notna()
            out[hit.index[found]] = hit[found]
            how[hit.index[found]] = name
        mapped = out.notna()
        result = pd.DataFrame({"query": query, "entrez": out.astype("Int64"), "how": how})
        result["symbol"] = None
        result.loc[mapped, "symbol"] = self.symbol_by_entrez().reindex(out[mapped].astype(np.int64)).to_numpy()
        return result

    def current_symbols(self, features: pd.DataFrame) -> np.ndarray:
        """Today's official symbol of each probe / gene row (``symbol`` and optional ``entrez``
        columns): by Entrez id when the table knows it, else by resolving the name; None if
        neither works. GEO platform tables carry symbols as old as the array."""
        entrez = pd.to_numeric(features.get("entrez", pd.Series(index=features.index, dtype=float)),
                               errors="coerce")
        by_id = entrez.map(self.symbol_by_entrez())
        names = features["symbol"].astype(object).where(features["symbol"].notna(), "").astype(str)
        by_name = pd.Series(self.resolve(names)["symbol"].to_numpy(), index=features.index)
        return by_id.fillna(by_name).to_numpy(dtype=object)

    def symbol_by_entrez(self) -> pd.Series:
        """Official symbol indexed by Entrez id (the first row of an id wins)."""
        return self.frame.drop_duplicates("entrez").set_index("entrez")["symbol"]

    def by_symbol(self) -> pd.DataFrame:
        """The table indexed by official symbol (what embeddings and bundles are keyed by)."""
        return self.frame.drop_duplicates("symbol").set_index("symbol")


def _unique_map(keys: pd.Series, values: np.ndarray) -> dict[str, int]:
    """keys -> value, keeping only keys that point to exactly one value."""
    s = pd.DataFrame({"k": keys.to_numpy(), "v": values}).drop_duplicates()
    s = s[~s["k"].duplicated(keep=False)]
    return dict(zip(s["k"], s["v"].astype(np.int64)))


def _exploded_unique(joined: pd.Series, entrez: np.ndarray, exclude: dict | None = None) -> dict[str, int]:
    s = pd.DataFrame({"k": joined.fillna("").str.split("|"), "v": entrez}).explode("k")
    s = s[s["k"].str.len() > 0]
    if exclude:
        s = s[~s["k"].isin(exclude)]
    return _unique_map(s["k"], s["v"].to_numpy())


def read_gene_table(path: str | Path) -> GeneTable:
    """Read the compendium's ``genes.parquet`` or an NCBI ``*.gene_info(.gz)`` file."""
    path = Path(path)
    if not path.is_file():
        raise InputError("gene table not found", path)
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for corrupt files
            raise InputError(f"not a readable parquet file ({exc.__class__.__name__})", path) from exc
        return GeneTable(frame)
    return read_ncbi_gene_info(path)


def read_ncbi_gene_info(path: str | Path, tax_id: int = 9606) -> GeneTable:
    """NCBI ``Homo_sapiens.gene_info.gz``: tab-separated, ``#tax_id`` header, ``-`` for empty."""
    path = Path(path)
    try:
        with open_text(path, "gene table") as fh:
            raw = pd.read_csv(fh, sep="\t", dtype=str, na_values=["-"], keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read gene_info ({str(exc).splitlines()[0]})", path) from None
    need = ["#tax_id", "GeneID", "Symbol", "Synonyms", "dbXrefs", "description", "type_of_gene"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise InputError(f"not an NCBI gene_info file (missing columns {missing})", path)
    raw = raw[raw["#tax_id"] == str(tax_id)]
    ensembl = raw["dbXrefs"].fillna("").str.findall(r"Ensembl:(ENSG\d+)").str.join("|")
    frame = pd.DataFrame({
        "entrez": raw["GeneID"].astype(np.int64).to_numpy(),
        "symbol": raw["Symbol"].to_numpy(),
        "description": raw["description"].fillna("").to_numpy(),
        "type_of_gene": raw["type_of_gene"].fillna("unknown").to_numpy(),
        "aliases": raw["Synonyms"].fillna("").to_numpy(),
        "ensembl": ensembl.to_numpy(),
    })
    if frame.empty:
        raise InputError(f"no genes of taxon {tax_id}", path)
    return GeneTable(frame)


def read_gene_types(path: str | Path) -> pd.Series:
    """GENCODE gene types (``gene_id``, ``gene_type`` columns; parquet or tab-separated) as a
    Series of type by Ensembl gene id, version stripped."""
    path = Path(path)
    if not path.is_file():
        raise InputError("gene type table not found", path)
    try:
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            with open_text(path, "gene type table") as fh:
                frame = pd.read_csv(fh, sep="\t", dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, OSError, ValueError) as exc:
        raise InputError(f"cannot read gene types ({str(exc).splitlines()[0]})", path) from None
    missing = [c for c in ("gene_id", "gene_type") if c not in frame.columns]
    if missing:
        raise InputError(f"gene type table lacks columns {missing}", path)
    ids = frame["gene_id"].astype(str).str.replace(r"\.\d+$", "", regex=True)
    return pd.Series(frame["gene_type"].astype(str).to_numpy(), index=ids).groupby(level=0).first()


RENAMES = Path(__file__).resolve().parents[1] / "demo_data" / "symbol_renames.tsv"


def read_symbol_renames(path: str | Path = RENAMES) -> tuple[pd.DataFrame, dict[str, str]]:
    """A recorded table of symbol renames (``entrez``, ``symbol``, ``new_symbol``: the demo gene
    table's symbol and the one a newer gene table gives the same gene) and its ``# key: value``
    header (``table_date``, ``renames_date``): newer names without a newer, 400 MB, gene table."""
    path = Path(path)
    with open_text(path, "symbol renames") as fh:
        lines = fh.read().splitlines()
    about = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# ") and ": " in line)
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    if not rows or rows[0] != ["entrez", "symbol", "new_symbol"] or any(len(r) != 3 for r in rows):
        raise InputError("not a symbol renames table (entrez, symbol, new_symbol; tab-separated)", path)
    frame = pd.DataFrame(rows[1:], columns=rows[0]).astype({"entrez": np.int64})
    return frame, about
