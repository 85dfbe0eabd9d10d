"""What a gene does and which genes belong with a list, as plain functions (no Dash).

A gene's predicted functions are the build's (``functions.parquet``: each gene's best terms per
library, scored out of fold, with a calibrated probability); this module reads them once, on first
use (``MapData.functions``), labels the terms and finds the gene's neighbours that carry each term.
Candidate genes for a list are scored at query time (:mod:`pipeline.candidates`): one matrix-vector
product per fold.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gene2vec_dash.queries import neighbours, tiers
from pipeline.bundle import FUNCTIONS
from pipeline.candidates import list_auroc, list_scores
from pipeline.errors import InputError

if TYPE_CHECKING:
    from gene2vec_dash.queries import MapData

CARRIERS = 50                            # a term's supporting genes are looked for among this many neighbours
COLUMNS = ["term", "id", "library", "score", "probability", "known", "neighbours", "set"]
_LEADING_ID = re.compile(r"^(GO:\d{7})\s+(.*)$")
_TRAILING_ID = re.compile(r"^(.*\S)\s+(WP\d+)$")
_PREFIX = re.compile(r"^(REACTOME|KEGG|BIOCARTA|PID|WP|HALLMARK)_")
_ACRONYM = re.compile(r"^(?:[A-Z]{1,3}|[A-Z0-9]*\d[A-Z0-9]*)$")    # DNA, G1, CA2, 43S kept upper case ...
_WORDS = {"OF", "AND", "BY", "THE", "IN", "TO", "VIA", "FOR", "AT", "ON", "IS", "ION", "NON", "PRE", "OUT", "A",
          "AN", "OR", "ITS", "NEW", "END", "ARE", "BE", "INTO"}                  # ... ordinary words lower case


def term_label(name: str) -> tuple[str, str]:
    """(readable name, id or "") of a set: "GO:0007049 cell cycle" -> ("cell cycle", "GO:0007049"),
    "REACTOME_CELL_CYCLE_MITOTIC" -> ("Cell cycle mitotic", ""), "REACTOME_DNA_REPLICATION" -> ("DNA
    replication", ""), "Cell Cycle WP179" -> ("Cell Cycle", "WP179")."""
    if found := _LEADING_ID.match(name):
        return found.group(2), found.group(1)
    if found := _TRAILING_ID.match(name):
        return found.group(1), found.group(2)
    if name.isupper() and "_" in name:
        words = " ".join(w if _ACRONYM.match(w) and w not in _WORDS else w.lower()
                         for w in _PREFIX.sub("", name).split("_"))
        return words[:1].upper() + words[1:], ""
    return name, ""


@dataclass(frozen=True)
class Functions:
    """The bundle's predicted functions by library: rows sorted by gene then rank, and where each
    gene's rows start (``bounds[library][g]``..``bounds[library][g + 1]``)."""

    tables: dict[str, pd.DataFrame]
    bounds: dict[str, np.ndarray]
    method: str

    @classmethod
    def open(cls, folder: Path, genes: int, record: dict) -> "Functions | None":
        path = folder / FUNCTIONS
        if not path.is_file():
            return None
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 (pyarrow raises many kinds for a damaged file)
            raise InputError(f"unreadable ({exc.__class__.__name__}: {str(exc)[:60]})", path) from None
        missing = {"library", "gene", "rank", "term", "score", "probability", "known"} - set(frame.columns)
        if missing:
            raise InputError(f"lacks columns {sorted(missing)}", path)
        if len(frame) and not frame["gene"].between(0, genes - 1).all():
            raise InputError(f"gene rows outside 0..{genes - 1}", path)
        tables, bounds = {}, {}
        for library, part in frame.groupby("library", observed=True, sort=False):
            part = part.sort_values(["gene", "rank"], kind="stable").reset_index(drop=True)
            tables[str(library)] = part
            bounds[str(library)] = np.searchsorted(part["gene"].to_numpy(), np.arange(genes + 1))
        return cls(tables, bounds, str(record.get("method", "")))

    @property
    def libraries(self) -> list[str]:
        return list(self.tables)

    def library(self, name: str) -> str:
        """The library a name means ("GO_BP", "go bp", "reactome" -> the bundle's own names)."""
        key = name.lower().replace("_", " ").strip()
        for library in self.tables:
            if library.lower().replace("_", " ") == key or library.lower().startswith(key.replace(" ", "_")):
                return library
        raise KeyError(f"no library {name!r}: the bundle has {', '.join(self.tables)}")


def gene_functions(data: "MapData", symbol: str, library: str = "GO BP", k: int = 20) -> pd.DataFrame:
    """A gene's ``k`` best terms of ``library``: readable name, id, score (out of fold), probability,
    whether the library lists the gene in the term, and the gene's nearest genes (of its
    :data:`CARRIERS`) that are members of it: the guilt the prediction rests on."""
    found = data.functions
    if found is None:
        return pd.DataFrame(columns=COLUMNS)
    library = found.library(library)
    row, bounds = data.row[symbol], found.bounds[library]
    top = found.tables[library].iloc[bounds[row]:bounds[row + 1]].head(max(1, k))
    labels = [term_label(str(t)) for t in top["term"]]
    near = neighbours(data, symbol, CARRIERS)["row"].to_numpy()
    sets = data.sets
    carriers = []
    for term in top["term"].astype(str):
        k_set = sets.index_of(term)
        members = set(sets.rows_of(k_set).tolist()) if k_set is not None else set()
        carriers.append([data.genes["symbol"].iat[g] for g in near if g in members])
    return pd.DataFrame({"term": [label for label, _ in labels], "id": [i for _, i in labels], "library": library,
                         "score": top["score"].to_numpy().round(4),
                         "probability": top["probability"].to_numpy().round(3),
                         "known": top["known"].to_numpy(dtype=bool), "neighbours": carriers,
                         "set": top["term"].astype(str).to_numpy()})


def tissue_support(data: "MapData", symbol: str, members: np.ndarray, least: int = 3
                   ) -> list[tuple[str, float, float]]:
    """How the gene's expression across each atlas's tissues follows a term's genes (the tissue half
    of the evidence a prediction rests on): (atlas name, its mean Pearson r with the term's other
    genes scored there, the share of the atlas's other genes outside the term with a lower one);
    atlases that do not score the gene, score fewer than ``least`` of the term's genes or none outside
    it are left out."""
    gene, out = data.row[symbol], []
    for key, unit, rows in zip(data.atlases, *(data.tissue_profiles or ([], []))):
        have = members[(rows[members] >= 0) & (members != gene)]
        if rows[gene] < 0 or len(have) < least:
            continue
        centre = unit[rows[have]].mean(axis=0)
        everyone = unit @ centre
        outside = np.ones(len(unit), bool)
        outside[rows[have]] = False
        outside[rows[gene]] = False
        if outside.any():              # a term of every scored gene has nothing to be compared with
            r = float(unit[rows[gene]] @ centre)
            out.append((data.atlases[key].name, r, float((everyone[outside] < r).mean())))
    return out


def candidates(data: "MapData", rows: np.ndarray, k: int = 50) -> pd.DataFrame:
    """The ``k`` genes outside a list most like it (mean cosine to its genes, on the map and across the
    atlases' tissues: :attr:`MapData.list_space`, less their mean cosine to every gene), best first;
    ``attrs["auroc"]``: the list's own 5-fold AUROC (None under 3 genes)."""
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    if not len(rows):
        raise ValueError("an empty list has no candidates")
    hub, space = data.hubness, data.list_space
    scores = list_scores(space, hub, rows)
    scores[rows] = -np.inf
    k = max(1, min(k, len(scores) - len(rows)))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    g = data.genes.iloc[top]
    out = pd.DataFrame({"rank": np.arange(1, len(top) + 1), "symbol": g["symbol"].to_numpy(),
                        "score": scores[top].astype(np.float64).round(4), "support": tiers(g),
                        "class": g["display_class"].astype(str).to_numpy(), "description": g["description"].to_numpy()})
    out.attrs["auroc"] = list_auroc(space, hub, rows)
    out.attrs["genes"] = len(rows)
    return out
