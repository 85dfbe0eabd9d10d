"""Predicted functions as tables: each gene's best terms per library (the bundle's ``functions.parquet``,
what the gene card and ``emb.functions`` read) and every gene x term of one library (``predict
functions``). The scores and probabilities are :func:`pipeline.functions.predict`'s, out of fold;
this module only chooses, labels and writes them, a block of genes at a time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import sparse

from pipeline import functions as F
from pipeline.bundle import FUNCTIONS, atlas_columns
from pipeline.function_profiles import Profiles, tissue_profiles

GO_SIZES, SET_SIZES = (10, 300), (5, 500)      # genes of the bundle in a term (ARCHS4's GO range; MSigDB's)


def sizes_for(library: str) -> tuple[int, int]:
    """The term sizes scored for a library: GO's propagated terms are many and nested, so 10-300."""
    return GO_SIZES if library.upper().startswith("GO") else SET_SIZES


def atlas_profiles(genes: pd.DataFrame) -> Profiles | None:
    """The tissue atlases of a genes table (its tissue z-score columns) as unit profiles
    (:func:`pipeline.function_profiles.tissue_profiles`), in the table's atlas order; None: no atlas."""
    return tissue_profiles([genes[c].to_numpy(np.float64, na_value=np.nan) for c in atlas_columns(genes).values()])


def profile_groups(expression: Profiles | None, genes: pd.DataFrame | None) -> dict[str, Profiles]:
    """The profile groups the combined model reads, each where given: the compendium's data sets
    (``expression``: :func:`pipeline.evidence.read_profiles`) and the tissue atlases of a genes
    table aligned with the vectors (its tissue z-score columns: the bundle's or the annotations')."""
    groups = {"expression": expression, "tissue": None if genes is None else atlas_profiles(genes)}
    return {name: found for name, found in groups.items() if found is not None}


def scored(genes: np.ndarray, vectors: np.ndarray, sets: dict[str, list[str]], library: str,
           near: tuple[np.ndarray, np.ndarray], folds: int, seed: int, method: str,
           profiles: dict[str, Profiles] | None = None
           ) -> tuple[sparse.csr_matrix, np.ndarray, Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
    """The library's membership (genes x its terms of :func:`sizes_for`), term names, and the blocks of
    out-of-fold (rows, scores, probability) covering every gene; ``profiles``: :func:`profile_groups`
    (None or empty: the vectors alone)."""
    members, terms = F.membership(genes, sets, *sizes_for(library))
    return members, terms, F.predict(vectors, members, near, folds=folds, seed=seed, method=method,
                                     profiles=profiles)


def best_terms(library: str, members: sparse.csr_matrix, terms: np.ndarray,
               blocks: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]], top: int) -> pd.DataFrame:
    """Each gene's ``top`` terms by score: library, gene (row), rank, term, score, probability, known."""
    parts = []
    top = min(top, len(terms))
    for rows, scores, probability in blocks:
        best = np.argpartition(-scores, top - 1, axis=1)[:, :top]
        order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1, kind="stable")
        best = np.take_along_axis(best, order, axis=1)
        known = np.take_along_axis(members[rows].toarray() > 0, best, axis=1)
        parts.append(pd.DataFrame({
            "gene": np.repeat(rows, top).astype(np.int32),
            "rank": np.tile(np.arange(1, top + 1), len(rows)).astype(np.int16),
            "term_index": best.ravel().astype(np.int32),
            "score": np.take_along_axis(scores, best, axis=1).ravel().astype(np.float32),
            "probability": np.take_along_axis(probability, best, axis=1).ravel().astype(np.float32),
            "known": known.ravel()}))
    frame = pd.concat(parts, ignore_index=True).sort_values(["gene", "rank"], kind="stable")
    frame.insert(0, "library", library)
    frame.insert(3, "term", terms[frame.pop("term_index").to_numpy()])
    return frame.reset_index(drop=True)


def write_functions(folder: Path, tables: list[pd.DataFrame]) -> Path:
    """The bundle's file: every library's best terms, library and term as dictionary columns."""
    frame = pd.concat(tables, ignore_index=True)
    for column in ("library", "term"):
        frame[column] = frame[column].astype("category")
    path = folder / FUNCTIONS
    frame.to_parquet(path, index=False)
    return path


def write_all_scores(out: Path, genes: np.ndarray, members: sparse.csr_matrix, terms: np.ndarray,
                     blocks: Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> int:
    """Every gene x term (gene, term, score, probability, known) streamed to a parquet file, a block
    of genes per row group, written to a temporary name and renamed (never half a file); the rows."""
    tmp = out.with_name(f".{out.name}.part")
    schema = pa.schema([("gene", pa.dictionary(pa.int32(), pa.string())),
                        ("term", pa.dictionary(pa.int32(), pa.string())), ("score", pa.float32()),
                        ("probability", pa.float32()), ("known", pa.bool_())])
    gene_names, term_names = pa.array(genes.astype(str)), pa.array(terms.astype(str))
    n = 0
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for rows, scores, probability in blocks:
                gi = np.repeat(rows, len(terms)).astype(np.int32)
                ti = np.tile(np.arange(len(terms), dtype=np.int32), len(rows))
                known = members[rows].toarray().astype(bool).ravel()
                writer.write_table(pa.table({
                    "gene": pa.DictionaryArray.from_arrays(gi, gene_names),
                    "term": pa.DictionaryArray.from_arrays(ti, term_names),
                    "score": scores.ravel().astype(np.float32), "probability": probability.ravel().astype(np.float32),
                    "known": known}, schema=schema))
                n += len(gi)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n
