"""Stages up to the vectors: co-expression contexts, the embedding trained on them (or an
imported one), and the embedding under today's official symbols (as GO labels are)."""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.cache import file_sha256
from pipeline.coexpression import StoredPairs, run_coexpression
from pipeline.embedding import Embedding, PairCorpus, embed
from pipeline.errors import InputError
from pipeline.npy import load_npy
from pipeline.progress import bar
from pipeline.runner import Stage, StageInputs
from pipeline.sources import demo

log = logging.getLogger("pipeline")


@dataclass(frozen=True)
class Contexts:
    summary: dict                 # run_coexpression's summary
    pair_files: list[Path]        # one stored pair set per usable data set
    geo_fetch: dict


@dataclass(frozen=True)
class Vectors:
    embedding: Embedding
    contexts: np.ndarray | None   # each gene's number of contexts (None: imported)
    record: dict
    datasets: np.ndarray | None = None   # how many sources give each gene its contexts
    raw: np.ndarray | None = None        # the method's vectors before centring / combining


# --- co-expression ------------------------------------------------------------------------------

def _inputs(p: dict) -> list[Path]:
    """The expression files: the demo compendium, or the config's files (GEO downloads come later)."""
    if p["demo"]:
        bad = demo.verify()
        if bad:
            raise InputError(f"demo compendium files damaged or missing: {bad}; run "
                             "`python -m pipeline demo-data --rebuild` or restore them with git")
        return demo.expression_files()
    geo = p["geo"]
    if not p["inputs"] and not geo.accessions and not geo.search:
        raise InputError("no inputs: give expression files in the config's `inputs`, or [geo] accessions")
    return [Path(f) for f in p["inputs"]]


def _fetched(geo, min_samples: int) -> tuple[list[Path], dict]:
    """GEO series named (or searched) in the config's [geo] table, downloaded or resumed."""
    if not geo.accessions and not geo.search:
        return [], {}
    from pipeline.fetch import fetch_geo
    from pipeline.sources.ncbi import search_series

    accessions = list(geo.accessions) or [s["accession"] for s in search_series(geo.platform, min_samples)]
    summary = fetch_geo(Path(geo.folder), accessions, geo.platform, min_samples, geo.max_datasets,
                        progress=bar("GEO series", unit="series"))
    for r in summary["skipped"] + summary["failed"]:
        log.info("GEO %s %s: %s", r["accession"], r["status"], r["reason"])
    return [Path(geo.folder) / r["file"] for r in summary["done"]], {k: summary[k] for k in ("done", "skipped",
                                                                                           "failed")}


def _coexpression(inputs: StageInputs) -> Contexts:
    """Pearson pairs per data set; resumes per data set by itself (in the stage's folder)."""
    p = inputs.params
    fetched, geo_fetch = _fetched(p["geo"], p["coexpression"].min_samples)
    summary = run_coexpression(_inputs(p) + fetched, inputs.folder, p["coexpression"],
                               inputs.options.get("scheduler", "threads"), gene_table=p["gene_table"],
                               progress=inputs.progress(unit="file"))
    if not summary["datasets_used"]:
        reasons = "; ".join(f"{Path(r['source']).name}: {r['reason']}" for r in summary["datasets_skipped"])
        raise InputError(f"no usable data set ({reasons})")
    return Contexts(summary, [inputs.folder / r["file"] for r in summary["datasets_used"]], geo_fetch)


def _input_record(r: dict) -> dict:
    src = Path(r["source"])
    return {"name": r["name"], "file": src.name, "sha256": file_sha256(src) if src.exists() else None,
            "samples": r["samples"], "genes": r["genes"], "pairs": r["pairs"],
            "scale": r["preprocess"]["scale"], "log2_applied": r["preprocess"]["log2_applied"]}


def expression_files(contexts: Contexts | None) -> list[str]:
    """The data sets behind the contexts (for the raw co-expression baselines); none for an import."""
    return sorted({r["source"] for r in contexts.summary["datasets_used"]}) if contexts else []


COEXPRESSION = Stage(
    "coexpression", _coexpression, params=("demo", "inputs", "geo", "coexpression", "gene_table"),
    files=lambda p: demo.expression_files() if p["demo"] else [Path(f) for f in p["inputs"]],
    report=lambda c: {"inputs": [_input_record(r) for r in c.summary["datasets_used"]],
                      "datasets_skipped": c.summary["datasets_skipped"],
                      **({"geo_fetch": c.geo_fetch} if c.geo_fetch else {})})


# --- embedding ----------------------------------------------------------------------------------

def _train(inputs: StageInputs) -> dict:
    """Train (or resume from epoch checkpoints) the embedding of the configured method; beside
    each embedded gene, its number of contexts and of sources that give it contexts (its support).
    Gene sets play no part: they grade the vectors (stage quality), never shape or pick them."""
    p = inputs.params
    sources = [StoredPairs.open(f) for f in inputs["coexpression"].pair_files]
    if p["archs4_pairs"]:
        sources.append(demo.archs4_pairs())
    corpus = PairCorpus.build(sources, inputs.folder / "corpus")
    emb, raw, stats = embed(corpus, p["embedding"], progress=inputs.progress(p["embedding"].epochs, "epoch"),
                            checkpoints=inputs.work / "checkpoints")
    rows = np.searchsorted(corpus.vocab, emb.genes)
    np.save(inputs.folder / "contexts.npy", corpus.counts[rows])
    np.save(inputs.folder / "datasets.npy", _datasets(sources, emb.genes))
    shutil.rmtree(inputs.folder / "corpus")
    emb.save(inputs.folder)
    if raw is not None:
        np.save(inputs.folder / "raw.npy", raw.vectors)
    return {**stats, "sources": list(corpus.sources), "method": p["embedding"].method}


def _datasets(sources: list, genes: np.ndarray) -> np.ndarray:
    """For each embedded gene, how many of the sources (data sets, ARCHS4) give it a context."""
    seen = np.zeros(len(genes), dtype=np.int32)
    for src in sources:
        paired = np.zeros(len(src.genes), dtype=bool)
        for chunk in src.chunks(1 << 20):
            paired[chunk.ravel()] = True
        seen += np.isin(genes, np.asarray(src.genes, dtype=str)[paired])
    return seen


def _trained(folder: Path, record: dict) -> Vectors:
    raw = load_npy(folder / "raw.npy") if (folder / "raw.npy").is_file() else None
    return Vectors(Embedding.load(folder), load_npy(folder / "contexts.npy"), record,
                   load_npy(folder / "datasets.npy"), raw)


def _trained_report(v: Vectors) -> dict:
    r = v.record
    return {"extra_pairs": [s for s in r["sources"] if s["name"] == "ARCHS4_TF_coexpression"],
            "counts": {"pairs": r["pairs"], "genes_in_pairs": r["genes_in_pairs"],
                       "genes_embedded": r["genes_embedded"]},
            "embedding_training": {"epochs": r["epochs"]}}


EMBEDDING = Stage("embedding", _train, needs=("coexpression",), params=("embedding", "archs4_pairs"),
                  files=lambda p: [demo.ARCHS4_FILE] if p["archs4_pairs"] else [],
                  load=_trained, outs=Embedding.FILES, report=_trained_report)


def _imported_files(p: dict) -> list[Path]:
    """The file imported, or a bundle folder's vectors."""
    path = Path(p["embedding_file"])
    return [path / name for name in Embedding.FILES[:2]] if path.is_dir() else [path]


def _import(inputs: StageInputs) -> dict:
    from pipeline.sources.embeddings import read_embedding

    path = Path(inputs.params["embedding_file"])
    emb = read_embedding(path)
    emb.save(inputs.folder)
    return {"file": path.name, "sha256": file_sha256(path) if path.is_file() else None,
            "genes": len(emb.genes), "dims": int(emb.vectors.shape[1])}


IMPORTED = Stage(
    "embedding", _import, params=("embedding_file",), files=_imported_files,
    load=lambda folder, r: Vectors(Embedding.load(folder), None, r),
    outs=Embedding.FILES,
    report=lambda v: {"imported": v.record, "inputs": [], "datasets_skipped": [], "extra_pairs": [],
                      "counts": {"pairs": 0, "genes_in_pairs": 0, "genes_embedded": v.record["genes"]}})


# --- today's symbols ----------------------------------------------------------------------------

def _symbols(inputs: StageInputs) -> dict:
    """Each embedded gene's official symbol today (null: unknown to the gene table)."""
    genes = inputs["embedding"].embedding.genes
    resolved = inputs["gene_table"].resolve(genes)["symbol"]
    pd.DataFrame({"resolved": resolved.astype(object)}).to_parquet(inputs.folder / "symbols.parquet", index=False)
    return {"known": int(resolved.notna().sum())}


SYMBOLS = Stage("symbols", _symbols, needs=("embedding", "gene_table"),
                load=lambda folder, record: pd.read_parquet(folder / "symbols.parquet")["resolved"].to_numpy())


@dataclass(frozen=True)
class Current:
    embedding: Embedding          # the embedding under today's symbols (as GO labels are), first name wins
    contexts: dict[str, float] | None


def current_symbols(vectors: Vectors, resolved: np.ndarray) -> Current:
    emb = vectors.embedding
    names = np.where(pd.notna(resolved), resolved, emb.genes).astype(str)
    _, first = np.unique(names, return_index=True)
    rows = np.sort(first)
    same = len(rows) == len(names) and (names == emb.genes).all()
    current = emb if same else Embedding(names[rows], emb.vectors[rows])
    counts = None if vectors.contexts is None else dict(zip(current.genes, vectors.contexts[rows].tolist()))
    return Current(current, counts)
