"""Finding a gene or a tissue by the names people type: the gene box's ranked suggestions and the
tissue names of other resources (the GTEx portal's, the Human Protein Atlas') read as aliases."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
import pandas as pd

QUERY = re.compile(r"[A-Z0-9@._\-/ ]+")


@dataclass(frozen=True)
class NameIndex:
    """Sorted upper-case names, so that every name beginning with what was typed is one bisection."""

    symbols: list[tuple[str, str]]            # (SYMBOL, symbol), sorted
    aliases: list[tuple[str, str]]            # (ALIAS, symbol) for names that are not a symbol, sorted
    descriptions: pd.Series                   # " " + upper-case description, by symbol

    @classmethod
    def build(cls, alias: dict[str, str], genes: pd.DataFrame) -> "NameIndex":
        """``alias``: upper-case symbol or alias -> official symbol (the app's MapData.alias)."""
        symbols = sorted((name, s) for name, s in alias.items() if name == s.upper())
        aliases = sorted((name, s) for name, s in alias.items() if name != s.upper())
        words = " " + genes["description"].fillna("").astype(str).str.upper()
        return cls(symbols, aliases, pd.Series(words.to_numpy(), index=genes["symbol"].astype(str)))


def _starting(names: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    """The (NAME, symbol) pairs whose name starts with ``prefix``, shortest name first."""
    first = bisect_left(names, (prefix, ""))
    last = bisect_left(names, (prefix + "\uffff", ""))
    return sorted(names[first:last], key=lambda pair: (len(pair[0]), pair[0]))


def search(index: NameIndex, exact: str | None, text: str | None, limit: int = 20
           ) -> list[tuple[str, str | None]]:
    """(symbol, the name it matched when that is not its symbol) for a type-ahead box, best first:
    the symbols that begin with the text, shortest first (the symbol itself, then HBA1, HBA2 before
    HBAP1), then ``exact`` (the gene the whole text names as an alias or Entrez id, already resolved),
    then aliases that begin with the text, then descriptions with a word that begins with it."""
    query = (text or "").strip().upper()
    if not query or not QUERY.fullmatch(query):
        return []
    hits: dict[str, str | None] = {}
    for name, symbol in _starting(index.symbols, query):
        hits.setdefault(symbol, None)
    if exact and exact not in hits:                       # an alias or Entrez id, after the symbols
        hits[exact] = query
    for name, symbol in _starting(index.aliases, query):
        hits.setdefault(symbol, name)
    if len(hits) < limit and len(query) >= 3:
        found = index.descriptions[index.descriptions.str.contains(" " + query, regex=False).to_numpy()]
        for symbol in found.index[np.argsort(found.str.len().to_numpy(), kind="stable")]:
            hits.setdefault(symbol, None)
    return list(hits.items())[:limit]


def newer_symbols(genes: pd.DataFrame, renames: pd.DataFrame) -> dict[str, str]:
    """Symbol in the map -> the symbol a newer gene table gives the same gene (same Entrez id and
    the same older symbol; a map already built with the newer name gets nothing)."""
    if "entrez" not in genes.columns:
        return {}
    mine = pd.DataFrame({"entrez": pd.to_numeric(genes["entrez"], errors="coerce"),
                         "symbol": genes["symbol"].astype(str)})
    both = mine.dropna().astype({"entrez": np.int64}).merge(renames, on=["entrez", "symbol"])
    return dict(zip(both["symbol"], both["new_symbol"]))


# Other resources' names for a tissue -> the names it may have in an atlas of the map, best first
# (lower case). The GTEx portal names its 54 tissue sites ("Whole Blood", "Muscle - Skeletal"); the
# map's GTEx v6 (recount2) atlas has their 31 tissue types ("Blood", "Muscle"); HPA's tissues have
# names of their own ("heart muscle", "thyroid gland").
_GTEX_SITES = {
    "adipose tissue": ("Adipose - Subcutaneous", "Adipose - Visceral (Omentum)"),
    "blood vessel": ("Artery - Aorta", "Artery - Coronary", "Artery - Tibial"),
    "blood": ("Whole Blood", "Cells - EBV-transformed lymphocytes"),
    "bone marrow": ("Cells - Leukemia cell line (CML)",),
    "breast": ("Breast - Mammary Tissue",),
    "cervix uteri": ("Cervix - Ectocervix", "Cervix - Endocervix"),
    "colon": ("Colon - Sigmoid", "Colon - Transverse"),
    "esophagus": ("Esophagus - Gastroesophageal Junction", "Esophagus - Mucosa", "Esophagus - Muscularis"),
    "heart": ("Heart - Atrial Appendage", "Heart - Left Ventricle"),
    "kidney": ("Kidney - Cortex", "Kidney - Medulla"),
    "muscle": ("Muscle - Skeletal",),
    "nerve": ("Nerve - Tibial",),
    "salivary gland": ("Minor Salivary Gland",),
    "skin": ("Skin - Not Sun Exposed (Suprapubic)", "Skin - Sun Exposed (Lower leg)", "Cells - Cultured fibroblasts"),
    "small intestine": ("Small Intestine - Terminal Ileum",),
}
_BRAIN = {"brain - amygdala": "amygdala", "brain - anterior cingulate cortex (ba24)": "cerebral cortex",
          "brain - caudate (basal ganglia)": "basal ganglia", "brain - cerebellar hemisphere": "cerebellum",
          "brain - cerebellum": "cerebellum", "brain - cortex": "cerebral cortex",
          "brain - frontal cortex (ba9)": "cerebral cortex", "brain - hippocampus": "hippocampal formation",
          "brain - hypothalamus": "hypothalamus", "brain - nucleus accumbens (basal ganglia)": "basal ganglia",
          "brain - putamen (basal ganglia)": "basal ganglia", "brain - spinal cord (cervical c-1)": "spinal cord",
          "brain - substantia nigra": "midbrain"}
_HPA = {"heart": "heart muscle", "muscle": "skeletal muscle", "thyroid": "thyroid gland",    # GTEx type -> HPA
        "pituitary": "pituitary gland", "bladder": "urinary bladder", "cervix uteri": "cervix",
        "uterus": "endometrium"}


def _aliases() -> dict[str, tuple[str, ...]]:
    table = {site.lower(): (kind, _HPA.get(kind, kind)) for kind, sites in _GTEX_SITES.items() for site in sites}
    table.update({site: ("brain", region) for site, region in _BRAIN.items()})
    table.update({region: ("brain",) for region in _BRAIN.values()})
    table.update({hpa: (gtex,) for gtex, hpa in _HPA.items()})
    table.update({gtex: (hpa,) for gtex, hpa in _HPA.items()})
    return table


TISSUE_ALIASES = _aliases()


def find_tissue(atlases: dict[str, list[str]], tissue: str | None, atlas: str | None = None
                ) -> tuple[str, str] | None:
    """(atlas, tissue) for a tissue named in any case, by its own name or another resource's
    (TISSUE_ALIASES): in ``atlas`` if given, else in the first atlas that has it (so an old
    ``tissue=heart`` link finds GTEx's "Heart", and ``Whole Blood`` its "Blood")."""
    if not tissue:
        return None
    wanted = tissue.strip().lower()
    for key in ([atlas] if atlas else list(atlases)):
        names = {name.lower(): name for name in atlases.get(key, [])}
        for candidate in (wanted, *TISSUE_ALIASES.get(wanted, ())):
            if candidate in names:
                return key, names[candidate]
    return None


def tissue_options(tissues: list[str]) -> list[dict]:
    """A tissue box's options: each tissue also found by the names other resources give it."""
    known = {name.lower() for name in tissues}
    other = {t.lower(): [] for t in tissues}
    for alias, candidates in TISSUE_ALIASES.items():
        hit = next((c for c in candidates if c in known), None)
        if hit is not None and alias not in known:
            other[hit].append(alias)
    return [{"label": t, "value": t, "search": " | ".join([t, *other[t.lower()]])} for t in tissues]
