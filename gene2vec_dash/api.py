"""The embedding as a library: open a bundle (or import any embedding file) and ask it what the app
asks, from a notebook or a script::

    from gene2vec_dash.api import open_bundle
    emb = open_bundle("bundles/demo")
    emb.neighbours("CDK1", k=10)            # a DataFrame: rank, symbol, similarity, support, ...
    emb.evidence("CDK1", "CCNB1")           # per data set: tissue, samples, measured, Pearson r; ARCHS4 TF lists
    emb.functions("C1orf112")               # predicted GO BP terms: probability, known or predicted, carriers
    emb.candidates(["BRCA1", "RAD51", "PALB2"])   # genes that belong with a list; .attrs["auroc"]: its coherence
    adata = emb.to_anndata()                # scanpy: sc.pl.embedding(adata, basis="tsne", color="class")

The answers are the app's own (:mod:`gene2vec_dash.queries`) and the exports the CLI's
(:mod:`pipeline.export`); nothing here imports Dash.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from gene2vec_dash import evidence, functions, queries
from gene2vec_dash.queries import MapData
from pipeline import export as exports


class GeneEmbedding:
    """One bundle's genes, vectors, map and pair model. Genes may be named by symbol, alias (any
    case) or Entrez id; an unknown one raises ``KeyError``."""

    def __init__(self, data: MapData):
        self._data = data

    def __repr__(self) -> str:
        return f"GeneEmbedding({str(self.path)!r}: {len(self.genes):,} genes x {self.vectors.shape[1]} dims)"

    @property
    def path(self) -> Path:
        return self._data.bundle.path

    @property
    def genes(self) -> pd.DataFrame:
        """One row per gene, row k <-> ``vectors[k]``: symbol, identifiers, class, support, map x/y,
        tissue z-scores (``tissue:ATLAS:TISSUE`` columns)."""
        return self._data.genes

    @property
    def vectors(self) -> np.ndarray:
        return self._data.bundle.vectors

    @property
    def manifest(self) -> dict:
        """Every parameter, seed, input and quality figure of the build."""
        return self._data.bundle.manifest

    def symbol(self, name: str) -> str:
        """The official symbol for a symbol, alias or Entrez id."""
        found = self._data.resolve(name)
        if found is None:
            raise KeyError(f"no gene {name!r} in {self.path}")
        return found

    def neighbours(self, gene: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` genes most similar to ``gene`` (cosine in the full embedding), best first."""
        return queries.neighbours(self._data, self.symbol(gene), k).drop(columns="row").reset_index(drop=True)

    def partners(self, gene: str, k: int = 10) -> pd.DataFrame:
        """The pair model's ``k`` most likely partners of ``gene`` (P of sharing an experimentally
        supported GO biological process, calibrated), with where ``gene`` ranks among each partner's
        own (a generic partner ranks it far down)."""
        if self._data.predictor is None:
            raise ValueError(f"{self.path} has no pair model (pairs.pt)")
        return queries.partners(self._data, self.symbol(gene), k).reset_index(drop=True)

    def pair(self, a: str, b: str) -> dict:
        """P that the two genes share an experimentally supported GO biological process (calibrated;
        None without a pair model), cosine, ranks both ways, and ``coexpression``: one sentence when
        the relation lies outside what the compendium's co-expression sees (no data set measures
        both, or none gives them an r above chance), else None."""
        sa, sb = self.symbol(a), self.symbol(b)
        return {**queries.pair(self._data, sa, sb),
                "coexpression": evidence.pair_evidence(self._data, sa, sb).attrs["note"]}

    def evidence(self, a: str, b: str) -> pd.DataFrame:
        """Why two genes are related: per data set of the compendium, its tissue / condition and
        samples, whether each gene is measured there and their Pearson r (NaN unless both are);
        then a row for the ARCHS4 TF lists (``in_tf_lists``, ``tf_rank``) if the build used them;
        ``chance_r`` / ``above_chance``: the r unrelated genes pass by chance in 1% of data sets of that
        many samples, and whether this r does; ``.attrs["note"]``: the sentence of :meth:`pair`'s
        ``coexpression``. Empty for a bundle built without evidence."""
        return evidence.pair_evidence(self._data, self.symbol(a), self.symbol(b))

    def expression(self, gene: str) -> pd.DataFrame:
        """Per data set: whether ``gene`` is measured, its mean (log2, after preprocessing), the share of
        the data set's genes below it, and whether it is expressed there. Empty without evidence."""
        return evidence.gene_expression(self._data, self.symbol(gene))

    def expression_note(self, gene: str) -> str | None:
        """The words a gene's support needs when no data set of the compendium expresses it ("placed by
        co-expression in data sets where it is barely expressed: ..."); None when one does."""
        return evidence.expression_note(self._data, self.symbol(gene))

    def functions(self, gene: str, library: str = "GO BP", k: int = 20) -> pd.DataFrame:
        """What ``gene`` does, predicted from its vectors: its ``k`` best terms of ``library`` ("GO BP",
        or a gene-set file of the build: ``emb.libraries``), each scored by models that never saw the
        gene's own annotations, with a probability calibrated out of fold, ``known`` where the library
        already lists the gene, and ``neighbours``: its nearest genes that are members (the evidence).
        Empty for a bundle built without predicted functions."""
        return functions.gene_functions(self._data, self.symbol(gene), library, k)

    @property
    def libraries(self) -> list[str]:
        """The gene-set libraries the build predicted functions for."""
        return self._data.functions.libraries if self._data.functions is not None else []

    def candidates(self, genes: Iterable[str], k: int = 50) -> pd.DataFrame:
        """The ``k`` genes that belong with a list (GeneMANIA's question), best first: their mean cosine
        to the list less their mean cosine to every gene. ``attrs["auroc"]`` is the list's own 5-fold
        AUROC (its held-out genes ranked among the rest; 0.5: the embedding sees random genes, None
        under 3 genes) and ``attrs["unknown"]`` the names not in the bundle."""
        names = [genes] if isinstance(genes, str) else list(genes)
        known = [self._data.resolve(n) for n in names]
        rows = np.array([self._data.row[s] for s in known if s is not None], dtype=np.int64)
        if not len(rows):
            raise KeyError(f"none of {names[:5]} is in {self.path}")
        out = functions.candidates(self._data, rows, k)
        out.attrs["unknown"] = [n for n, s in zip(names, known) if s is None]
        return out

    def keyed_vectors(self):
        """gensim ``KeyedVectors`` of the embedding."""
        return exports.keyed_vectors(self.genes["symbol"].to_numpy(dtype=str), self.vectors)

    def to_anndata(self):
        """An AnnData: genes as ``obs``, vectors as ``X``, the map in ``obsm["X_tsne"]``, the build
        in ``uns``."""
        return exports.to_anndata(self._data.bundle)

    def export(self, out: str | Path, format: str | None = None) -> list[Path]:
        """Write the embedding as h5ad, npy, w2v or parquet (default: from ``out``'s suffix)."""
        return exports.export(self._data.bundle, Path(out), format)


def open_bundle(path: str | Path) -> GeneEmbedding:
    """A bundle folder, validated (a damaged one raises :class:`pipeline.errors.InputError`)."""
    return GeneEmbedding(MapData.load(path))


def import_embedding(file: str | Path, out: str | Path, *, gene_sets: Iterable[str | Path] = (),
                     gene_table: str | Path = "", tissues: Iterable[str | Path] = (), seed: int = 0,
                     cache: str | Path | None = None, skip: Iterable[str] = ()) -> GeneEmbedding:
    """Any embedding file (word2vec text, the paper's GENE<TAB>floats, an export) -> a bundle at
    ``out`` with the map, annotations and quality figures, opened: ``python -m pipeline
    import-embedding`` with its ``--gmt``, ``--gene-table``, ``--tissues`` (default: the demo
    compendium's), ``--seed``, ``--cache`` and ``--skip``. Minutes: it lays out the map and trains
    the pair model."""
    from pipeline.build import import_embedding as build_import
    from pipeline.cli import DEFAULT_CACHE
    from pipeline.config import BuildConfig

    config = BuildConfig(gene_sets=tuple(str(g) for g in gene_sets), gene_table=str(gene_table or ""),
                         tissues=tuple(str(t) for t in tissues)).seeded(seed)
    build_import(Path(file), config, Path(out), Path(cache or DEFAULT_CACHE), tuple(skip))
    return open_bundle(out)
