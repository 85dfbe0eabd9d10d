"""GO Biological Process: gene annotations with evidence codes, and the term DAG.

Two sources give the same two tables: the demo compendium's extract of Bioconductor's
org.Hs.eg.db / GO.db (parquet), or NCBI's ``gene2go(.gz)`` with ``go-basic.obo``.
``annotations``: ``symbol, go_id, evidence``; ``dag``: ``child, parent, relationship``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.sources.genes import GeneTable
from pipeline.sources.textfile import open_text

ROOT = "GO:0008150"                      # biological_process
PROPAGATING = ("is_a", "part_of")        # edges along which annotations propagate


@dataclass(frozen=True)
class GeneOntology:
    annotations: pd.DataFrame                                     # symbol, go_id, evidence
    dag: pd.DataFrame                                             # child, parent, relationship
    names: pd.Series = field(default_factory=lambda: pd.Series(dtype=str))   # go_id -> term name


def read_go_extract(folder: str | Path, genes: GeneTable) -> GeneOntology:
    """The compendium's ``go_bp_annotations.parquet`` (Entrez ids) and ``go_bp_dag.parquet``."""
    folder = Path(folder)
    try:
        ann = pd.read_parquet(folder / "go_bp_annotations.parquet")
        dag = pd.read_parquet(folder / "go_bp_dag.parquet")
    except FileNotFoundError as exc:
        raise InputError(f"GO extract incomplete ({Path(exc.filename).name} missing)", folder) from None
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(f"GO extract unreadable ({exc.__class__.__name__})", folder) from None
    for name, frame, cols in (("annotations", ann, ["entrez", "go_id", "evidence"]),
                              ("dag", dag, ["child", "parent", "relationship"])):
        if missing := [c for c in cols if c not in frame.columns]:
            raise InputError(f"GO {name} lacks columns {missing}", folder)
    symbols = genes.frame.set_index("entrez")["symbol"]
    ann = ann.assign(symbol=ann["entrez"].map(symbols)).dropna(subset=["symbol"])
    rel = dag["relationship"].replace({"isa": "is_a", "part of": "part_of"})
    terms = folder / "go_bp_terms.parquet"
    names = pd.read_parquet(terms).set_index("go_id")["term"] if terms.is_file() else pd.Series(dtype=str)
    return GeneOntology(ann[["symbol", "go_id", "evidence"]].reset_index(drop=True),
                        dag.assign(relationship=rel)[["child", "parent", "relationship"]], names)


def read_gene2go(path: str | Path, genes: GeneTable, tax_id: int = 9606) -> pd.DataFrame:
    """NCBI gene2go -> Process annotations of one taxon (``NOT`` qualifiers dropped)."""
    path = Path(path)
    try:
        with open_text(path) as fh:
            raw = pd.read_csv(fh, sep="\t", dtype=str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read gene2go ({exc.__class__.__name__})", path) from None
    need = ["#tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "Category"]
    if missing := [c for c in need if c not in raw.columns]:
        raise InputError(f"not a gene2go file (missing columns {missing})", path)
    raw = raw[(raw["#tax_id"] == str(tax_id)) & (raw["Category"] == "Process")
              & ~raw["Qualifier"].fillna("").str.startswith("NOT")]
    symbols = genes.frame.set_index("entrez")["symbol"]
    out = pd.DataFrame({"symbol": pd.to_numeric(raw["GeneID"], errors="coerce").map(symbols),
                        "go_id": raw["GO_ID"], "evidence": raw["Evidence"]})
    return out.dropna().drop_duplicates().reset_index(drop=True)


def read_obo(path: str | Path, namespace: str = "biological_process") -> tuple[pd.DataFrame, pd.Series]:
    """go-basic.obo -> is_a / part_of (and regulates) edges among non-obsolete terms of a namespace,
    and the terms' names."""
    edges, terms = [], {}
    current: dict | None = None
    with open_text(path) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("["):
                current = {"parents": []} if line == "[Term]" else None
                if current is not None:
                    terms[len(terms)] = current
            elif current is not None and ": " in line:
                tag, value = line.split(": ", 1)
                value = value.split(" !")[0].strip()
                if tag in ("id", "name", "namespace", "is_obsolete"):
                    current[tag] = value
                elif tag == "is_a":
                    current["parents"].append((value, "is_a"))
                elif tag == "relationship":
                    kind, _, target = value.partition(" ")
                    current["parents"].append((target.strip(), kind))
    kept = [t for t in terms.values()
            if t.get("namespace") == namespace and t.get("is_obsolete") != "true" and "id" in t]
    for t in kept:
        edges.extend((t["id"], parent, kind) for parent, kind in t["parents"])
    if not edges:
        raise InputError(f"no {namespace} terms with parents: not a GO OBO file?", path)
    return (pd.DataFrame(edges, columns=["child", "parent", "relationship"]),
            pd.Series({t["id"]: t.get("name", "") for t in kept}, dtype=str))
