"""The whole pipeline: co-expression -> embedding -> evaluation -> layout -> annotations -> bundle.

Each stage's output is cached under a key of everything it depends on, so an interrupted build
resumes where it stopped, and the bundle is written atomically at the very end.
"""
from __future__ import annotations

import functools
import logging
import shutil
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from pipeline.annotate import class_enrichment, display_class, first_known, tissue_zscores, z_limit
from pipeline.bundle import GENE_SETS, GGI_PAIRS, tissue_column, write_bundle
from pipeline.cache import StageCache, digest, file_sha256
from pipeline.coexpression import StoredPairs, preprocessed_sets, run_coexpression
from pipeline.config import BuildConfig
from pipeline.embedding import Embedding, PairCorpus, train_embedding
from pipeline.errors import InputError
from pipeline.evaluate import (
    clusteredness,
    coexpression_clusteredness,
    cosine_neighbours,
    fisher_z_similarity,
    map_neighbours,
    neighbour_report,
    tissue_patterns,
)
from pipeline.ggi import SPLITS, degree_balance, labelled_pairs, term_gene_sets
from pipeline.ggipnn import PairData, save_predictor, train_ggipnn
from pipeline.layout import neighbourhood_preservation, tsne_layout
from pipeline.pairs import PairPredictor, baselines, list_quality, pair_benchmark, save_pair_model
from pipeline.progress import bar
from pipeline.sources import demo
from pipeline.sources.atlases import Atlas, atlas_by_symbol, read_atlas
from pipeline.sources.genes import GeneTable, read_gene_table, read_gene_types
from pipeline.sources.genesets import read_gmt
from pipeline.sources.go import GeneOntology, read_gene2go, read_go_extract, read_obo

log = logging.getLogger("pipeline")
GGIPNN_RUNS = ("gene2vec_frozen", "gene2vec_trainable", "random_frozen", "random_trainable")


@dataclass(frozen=True)
class References:
    genes: GeneTable
    gene_set_files: dict[str, dict[str, list[str]]]   # file name -> its sets
    gene_types: pd.Series             # GENCODE gene type by Ensembl gene id
    atlases: list[tuple[Atlas, pd.DataFrame]]   # each atlas, and its linear expression by official symbol

    @property
    def gene_sets(self) -> dict[str, list[str]]:
        """Every set of every file (names are unique within a file; a later file wins a clash)."""
        return {name: genes for sets in self.gene_set_files.values() for name, genes in sets.items()}


class Build:
    """One build run; ``run()`` returns the bundle's manifest."""

    def __init__(self, config: BuildConfig, out: Path, cache_dir: Path, scheduler: str = "threads"):
        self.config = config
        self.out = Path(out)
        self.cache = StageCache(cache_dir)
        self.scheduler = scheduler
        self.timings: dict[str, float] = {}
        self.geo_fetch: dict = {}

    def _timed(self, stage: str, fn: Callable, *args):
        started = time.perf_counter()
        log.info("%s ...", stage)
        result = fn(*args)
        self.timings[stage] = round(time.perf_counter() - started, 2)
        return result

    # --- inputs --------------------------------------------------------------------------
    def inputs(self) -> list[Path]:
        if self.config.demo:
            bad = demo.verify()
            if bad:
                raise InputError(f"demo compendium files damaged or missing: {bad}; run "
                                 "`python -m pipeline demo-data --rebuild` or restore them with git")
            return demo.expression_files()
        inputs = [Path(p) for p in self.config.inputs] + self.fetched()
        if not inputs:
            raise InputError("no inputs: give expression files in the config's `inputs`, or [geo] accessions")
        return inputs

    def fetched(self) -> list[Path]:
        """GEO series named (or searched) in the config's [geo] table, downloaded or resumed."""
        geo = self.config.geo
        if not geo.accessions and not geo.search:
            return []
        from pipeline.fetch import fetch_geo
        from pipeline.sources.ncbi import search_series

        accessions = list(geo.accessions) or [s["accession"] for s in
                                              search_series(geo.platform, self.config.coexpression.min_samples)]
        summary = fetch_geo(Path(geo.folder), accessions, geo.platform, self.config.coexpression.min_samples,
                            geo.max_datasets, progress=bar("GEO series", unit="series"))
        for r in summary["skipped"] + summary["failed"]:
            log.info("GEO %s %s: %s", r["accession"], r["status"], r["reason"])
        self.geo_fetch = {k: summary[k] for k in ("done", "skipped", "failed")}
        return [Path(geo.folder) / r["file"] for r in summary["done"]]

    @functools.cached_property
    def references(self) -> References:
        """Gene table, gene sets, gene types and tissue atlases, read (and so checked) before any
        long stage."""
        genes = read_gene_table(self.config.gene_table) if self.config.gene_table else demo.gene_table()
        sets = {f.name: read_gmt(f) for f in self.gene_set_files()}
        types = read_gene_types(self.config.gene_types or demo.gene_types_file())
        atlases = [read_atlas(p) for p in (self.config.tissues or demo.atlas_files())]
        keys = [a.key for a in atlases]
        if len(set(keys)) < len(keys):
            raise InputError(f"two tissue atlases share a name ({keys}): rename one file")
        return References(genes, sets, types, [(a, atlas_by_symbol(a, genes)) for a in atlases])

    def gene_set_files(self) -> list[Path]:
        return [Path(p) for p in self.config.gene_sets] or demo.gene_set_files()

    # --- stages --------------------------------------------------------------------------
    def coexpression(self) -> tuple[dict, list[Path]]:
        folder = self.cache.root / "coexpression"
        summary = run_coexpression(self.inputs(), folder, self.config.coexpression, self.scheduler,
                                   gene_table=self.config.gene_table, progress=bar("co-expression", unit="file"))
        if not summary["datasets_used"]:
            reasons = "; ".join(f"{Path(r['source']).name}: {r['reason']}" for r in summary["datasets_skipped"])
            raise InputError(f"no usable data set ({reasons})")
        return summary, [folder / r["file"] for r in summary["datasets_used"]]

    def embedding(self, pair_files: list[Path], gene_sets: dict[str, list[str]]) -> tuple[Embedding, dict, np.ndarray]:
        """Train (or resume, or reuse) the embedding; clusteredness is recorded after every epoch.
        Also returns each embedded gene's number of contexts (its popularity in the corpus)."""
        extra = [demo.ARCHS4_FILE] if self.config.archs4_pairs else []
        key = digest({"pairs": [f.name for f in pair_files], "extra": [file_sha256(p) for p in extra],
                      "embedding": asdict(self.config.embedding), "gene_sets": self._gene_sets_id(),
                      "clusteredness": asdict(self.config.clusteredness), "contexts": True})
        checkpoints = self.cache.root / f"embedding-{key}.checkpoints"

        def per_epoch(epoch: int, emb: Embedding) -> dict:
            clus = clusteredness(emb.genes, emb.vectors, gene_sets, self.config.clusteredness)
            return {"clusteredness_cosine": round(clus["cosine"]["ratio"], 4),
                    "clusteredness_inner_product": round(clus["inner_product"]["ratio"], 4)}

        def make(folder: Path) -> dict:
            sources = [StoredPairs.open(f) for f in pair_files]
            if self.config.archs4_pairs:
                sources.append(demo.archs4_pairs())
            corpus = PairCorpus.build(sources, folder / "corpus")
            emb, stats = train_embedding(corpus, self.config.embedding, on_epoch=per_epoch,
                                         progress=bar("embedding", self.config.embedding.epochs, "epoch"),
                                         checkpoints=checkpoints)
            shutil.rmtree(folder / "corpus")
            emb.save(folder)
            np.save(folder / "contexts.npy", corpus.counts[np.searchsorted(corpus.vocab, emb.genes)])
            return {**stats, "sources": list(corpus.sources)}

        folder, stats = self.cache.run("embedding", key, make)
        shutil.rmtree(checkpoints, ignore_errors=True)
        return Embedding.load(folder), stats, np.load(folder / "contexts.npy")

    def _gene_sets_id(self) -> list[str]:
        return [file_sha256(p) for p in self.gene_set_files()]

    def gene_ontology(self, genes: GeneTable) -> GeneOntology:
        if bool(self.config.gene2go) != bool(self.config.go_obo):
            raise InputError("give both gene2go and go_obo, or neither (the compendium's GO extract)")
        if self.config.gene2go:
            return GeneOntology(read_gene2go(self.config.gene2go, genes), *read_obo(self.config.go_obo))
        return read_go_extract(demo.go_folder(), genes)

    def ggi_pairs(self, genes: GeneTable, negatives: str) -> tuple[dict[str, pd.DataFrame], str]:
        """Labelled GO pairs, gene-disjoint splits: ``negatives="random"`` (the paper's protocol,
        for GGIPNN) or ``"degree"`` (each gene as many negatives as positives, for the pair model)."""
        sources = ([self.config.gene2go, self.config.go_obo] if self.config.gene2go
                   else sorted(str(p) for p in demo.go_folder().glob("*.parquet")))
        config = replace(self.config.ggi, negatives=negatives)
        key = digest({"go": [file_sha256(Path(p)) for p in sources], "genes": self._gene_table_id(),
                      "ggi": asdict(config)})

        def make(folder: Path) -> dict:
            splits = labelled_pairs(self.gene_ontology(genes), config)
            for name, frame in splits.items():
                frame.to_parquet(folder / f"{name}.parquet", index=False)
            return {name: {"pairs": len(f), "positives": int(f["label"].sum()),
                           "genes": len(set(f["gene_a"]) | set(f["gene_b"]))} for name, f in splits.items()}

        folder, _ = self.cache.run(f"ggi-{negatives}", key, make)
        return {name: pd.read_parquet(folder / f"{name}.parquet") for name in SPLITS}, key

    def ggipnn(self, emb: Embedding, splits: dict[str, pd.DataFrame], splits_key: str,
               runs: tuple[str, ...], contexts: dict[str, float] | None) -> tuple[Path, dict]:
        """The paper's GGIPNN runs (our vectors or random ones, frozen or trainable) on the paper's
        protocol, and beside them the baselines that need no pair signal (additive, popularity)
        and cosine, on the same test pairs. The frozen run is the paper's reproduction."""
        data = {name: PairData.from_frame(f) for name, f in splits.items()}
        key = digest({"vectors": _array_digest(emb), "pairs": splits_key, "ggipnn": asdict(self.config.ggipnn),
                      "runs": runs, "baselines": asdict(self.config.pair_model), "contexts": contexts is not None})

        def make(folder: Path) -> dict:
            results = {}
            for name in runs:
                vectors = emb if name.startswith("gene2vec") else None
                cfg = replace(self.config.ggipnn, trainable=name.endswith("trainable"))
                trained = train_ggipnn(vectors, data["train"], data["valid"], data["test"], cfg,
                                       dims=emb.vectors.shape[1],
                                       progress=bar(f"GGIPNN {name}", cfg.max_epochs, "epoch"))
                results[name] = {**trained.metrics, "history": trained.history}
                if name == "gene2vec_frozen":
                    save_predictor(trained, folder / "ggipnn.pt")
            epochs = self.config.pair_model.max_epochs
            results["baselines"] = baselines(emb, data, self.config.pair_model, contexts,
                                             bar("GGIPNN additive baseline", epochs, "epoch"))
            return results

        folder, results = self.cache.run("ggipnn", key, make)
        return folder / "ggipnn.pt", results

    def pair_model(self, emb: Embedding, splits: dict[str, pd.DataFrame], splits_key: str,
                   contexts: dict[str, float] | None) -> tuple[Path, dict]:
        """The app's pair model on degree-matched GO pairs, with its baselines; hub concentration
        and partner precision (the compendium's gene sets) beside the cosine neighbours'."""
        cfg = self.config
        data = {name: PairData.from_frame(f) for name, f in splits.items()}
        key = digest({"vectors": _array_digest(emb), "pairs": splits_key, "pair_model": asdict(cfg.pair_model),
                      "neighbours": asdict(cfg.neighbours), "gene_sets": self._gene_sets_id(),
                      "contexts": contexts is not None})

        def make(folder: Path) -> dict:
            trained, figures = pair_benchmark(emb, data, cfg.pair_model, contexts,
                                              lambda name: bar(name, cfg.pair_model.max_epochs, "epoch"))
            save_pair_model(trained.model.encoder, cfg.pair_model, folder / "pairs.pt", figures)
            predictor = PairPredictor(folder / "pairs.pt", emb.vectors)
            return {**figures, **list_quality(emb, predictor, self.references.gene_set_files, cfg.neighbours)}

        folder, figures = self.cache.run("pair-model", key, make)
        return folder / "pairs.pt", figures

    def _gene_table_id(self) -> str:
        path = Path(self.config.gene_table) if self.config.gene_table else demo.ROOT / "genes.parquet"
        return file_sha256(path)

    def layout(self, emb: Embedding) -> tuple[np.ndarray, dict]:
        key = digest({"vectors": _array_digest(emb), "layout": asdict(self.config.layout)})

        def make(folder: Path) -> dict:
            xy, info = tsne_layout(emb.vectors, self.config.layout)
            np.save(folder / "xy.npy", xy)
            info["neighbourhood_preservation_10nn"] = round(neighbourhood_preservation(emb.vectors, xy), 4)
            return info

        folder, info = self.cache.run("layout", key, make)
        return np.load(folder / "xy.npy"), info

    def gene_frame(self, emb: Embedding, xy: np.ndarray, resolved: np.ndarray, contexts: np.ndarray | None
                   ) -> tuple[pd.DataFrame, dict]:
        """One row per embedded gene: identity and class from the gene table (by ``resolved``, each
        gene's official symbol, so an imported embedding with older symbols is annotated too) and
        GENCODE, map position, tissue z-scores of every atlas."""
        table = self.references.genes.by_symbol().reindex(resolved)
        ensembl = table["ensembl"].fillna("").astype(str)
        frame = pd.DataFrame({
            "symbol": emb.genes,
            "entrez": table["entrez"].astype("Int64").to_numpy(),
            "ensembl": ensembl.str.split("|").str[0].to_numpy(),
            "type_of_gene": table["type_of_gene"].fillna("unknown").to_numpy(),
            "gene_type": first_known(ensembl, self.references.gene_types).to_numpy(),
            "description": table["description"].fillna("").to_numpy(),
            "aliases": table["aliases"].fillna("").to_numpy(),
            "contexts": pd.array(contexts if contexts is not None else [pd.NA] * len(emb.genes), dtype="Int64"),
            "x": xy[:, 0], "y": xy[:, 1],
        })
        frame.insert(3, "display_class", display_class(frame["symbol"], frame["type_of_gene"], frame["gene_type"]))
        floor = self.config.tissue.floor
        atlases, columns = [], []
        for atlas, expression in self.references.atlases:
            z = tissue_zscores(expression, floor).reindex(resolved)
            columns.append(pd.DataFrame(z.to_numpy(), columns=[tissue_column(atlas.key, t) for t in z.columns]))
            atlases.append({"key": atlas.key, **atlas.meta, "floor": floor, "tissues": list(z.columns),
                            "genes_scored": int(z.notna().any(axis=1).sum()), "z_limit": z_limit(z)})
        frame = pd.concat([frame, *columns], axis=1)
        info = {"atlases": atlases, "atlases_feed_embedding": False,
                "atlases_note": "tissue atlases colour and grade the map; they never feed the embedding",
                "genes_in_gene_table": int(pd.notna(resolved).sum()),
                "classes": frame["display_class"].value_counts().to_dict()}
        return frame, info

    def enrichment_sets(self, genes: GeneTable, symbols: pd.Series) -> pd.DataFrame:
        """The gene sets the app's enrichment tests, restricted to the map's genes (5-500 of them):
        GO BP terms from the build's GO (propagated, any evidence) and every set of its GMT files.
        One row per (source, set, gene)."""
        cfg = self.config.enrichment
        universe = set(symbols)
        sources = {"GO BP": term_gene_sets(self.gene_ontology(genes), symbols.to_numpy(), cfg.min_size,
                                           cfg.max_size)}
        for name, sets in self.references.gene_set_files.items():
            kept = {set_name: [g for g in members if g in universe] for set_name, members in sets.items()}
            sources[name.split(".")[0]] = {k: v for k, v in kept.items() if cfg.min_size <= len(v) <= cfg.max_size}
        return pd.DataFrame([(source, name, gene) for source, sets in sources.items()
                             for name, members in sets.items() for gene in members],
                            columns=["source", "name", "gene"])

    def tissue_patterns(self, emb: Embedding, xy: np.ndarray, frame: pd.DataFrame) -> dict:
        """Per atlas and tissue: do its specific genes gather on the map and in the embedding
        (k-nearest-gene fraction against random genes of matched number)?"""
        cfg = self.config.tissue
        map_nn, emb_nn = map_neighbours(xy, cfg.neighbours), cosine_neighbours(emb.vectors, cfg.neighbours)
        out = {}
        for atlas, _ in self.references.atlases:
            z = pd.DataFrame({t: frame[tissue_column(atlas.key, t)] for t in atlas.tissues})
            out[atlas.key] = tissue_patterns(z, map_nn, emb_nn, cfg.specific_z, seed=cfg.seed)
        return out

    # --- whole runs ----------------------------------------------------------------------
    def run(self) -> dict:
        """Expression files (or the demo compendium) -> co-expression -> embedding -> bundle."""
        self._timed("reference files", lambda: self.references)
        summary, pair_files = self._timed("co-expression", self.coexpression)
        emb, emb_stats, contexts = self._timed("embedding", self.embedding, pair_files, self.references.gene_sets)
        return self.finish(emb, {
            "config": self.config.to_dict(),
            "seed": self.config.seed,
            "inputs": [_input_record(r) for r in summary["datasets_used"]],
            "datasets_skipped": summary["datasets_skipped"],
            "extra_pairs": [s for s in emb_stats["sources"] if s["name"] == "ARCHS4_TF_coexpression"],
            "counts": {"pairs": emb_stats["pairs"], "genes_in_pairs": emb_stats["genes_in_pairs"],
                       "genes_embedded": emb_stats["genes_embedded"]},
            "embedding_training": {"epochs": emb_stats["epochs"]},
            **({"geo_fetch": self.geo_fetch} if self.geo_fetch else {}),
        }, expression=sorted({r["source"] for r in summary["datasets_used"]}), contexts=contexts)

    def run_import(self, path: Path, ggipnn: bool = True) -> dict:
        """Any embedding file -> bundle (layout, annotations, clusteredness, a frozen GGIPNN)."""
        from pipeline.sources.embeddings import read_embedding

        emb = self._timed("read embedding", read_embedding, path)
        self._timed("reference files", lambda: self.references)
        return self.finish(emb, {
            "config": {k: v for k, v in self.config.to_dict().items()
                       if k in ("clusteredness", "neighbours", "enrichment", "ggi", "ggipnn", "pair_model", "layout",
                                "tissue", "seed", "gene_sets",
                                "gene_table", "gene_types", "tissues", "gene2go", "go_obo")},
            "seed": self.config.seed,
            "imported": {"file": Path(path).name, "sha256": file_sha256(Path(path)) if Path(path).is_file() else None,
                         "genes": len(emb.genes), "dims": int(emb.vectors.shape[1])},
            "inputs": [], "datasets_skipped": [], "extra_pairs": [],
            "counts": {"pairs": 0, "genes_in_pairs": 0, "genes_embedded": len(emb.genes)},
        }, runs=("gene2vec_frozen",) if ggipnn else ())

    def quality(self, emb: Embedding, expression: list[str]) -> dict:
        """Clusteredness and neighbour precision on the compendium's gene sets, each beside the raw
        co-expression of the build's data sets (``expression``) on the same genes."""
        cfg = self.config
        datasets = (lambda: ((p.genes, p.values) for p in preprocessed_sets(expression, cfg.coexpression,
                                                                              cfg.gene_table))) if expression else None
        clus = clusteredness(emb.genes, emb.vectors, self.references.gene_sets, cfg.clusteredness)
        if datasets:
            clus["coexpression"] = coexpression_clusteredness(datasets(), emb.genes, self.references.gene_sets,
                                                              cfg.clusteredness)
        similarity = (lambda rows: fisher_z_similarity(datasets(), emb.genes, rows)) if datasets else None
        neighbours = {name: neighbour_report(emb.genes, emb.vectors, sets, cfg.neighbours, similarity)
                      for name, sets in self.references.gene_set_files.items()}
        return {"clusteredness": clus, "neighbours": neighbours}

    def finish(self, emb: Embedding, manifest: dict, runs: tuple[str, ...] = GGIPNN_RUNS,
               expression: list[str] = (), contexts: np.ndarray | None = None) -> dict:
        """The stages after the embedding, shared by builds and imports (which have no
        ``expression`` data sets for the co-expression baselines, nor ``contexts`` counts)."""
        cfg = self.config
        genes = self.references.genes
        resolved = genes.resolve(emb.genes)["symbol"].to_numpy()      # today's symbol (None: unknown)
        metrics: dict = self._timed("quality", self.quality, emb, list(expression))
        files: dict[str, Path] = {}
        matched = None
        if runs:
            current, rows = _current_symbols(emb, resolved)
            counts = None if contexts is None else dict(zip(current.genes, contexts[rows].tolist()))
            paper, paper_key = self._timed("GGI labels", self.ggi_pairs, genes, "random")
            matched, matched_key = self._timed("GGI labels (degree-matched)", self.ggi_pairs, genes, "degree")
            files["ggipnn.pt"], metrics["ggipnn"] = self._timed("GGIPNN", self.ggipnn, current, paper, paper_key,
                                                                runs, counts)
            files["pairs.pt"], metrics["pairs"] = self._timed("pair model", self.pair_model, current, matched,
                                                              matched_key, counts)
            manifest["ggi_pairs"] = {kind: {n: {"pairs": len(f), "positives": int(f["label"].sum()),
                                                **degree_balance(f)} for n, f in splits.items()}
                                     for kind, splits in (("paper protocol", paper), ("degree-matched", matched))}
        xy, metrics["layout"] = self._timed("layout", self.layout, emb)
        frame, annot = self._timed("annotations", self.gene_frame, emb, xy, resolved, contexts)
        metrics["tissue_patterns"] = self._timed("tissue patterns", self.tissue_patterns, emb, xy, frame)
        sets = self._timed("gene sets", self.enrichment_sets, genes, frame["symbol"])
        annot["gene_sets"] = sets.groupby("source")["name"].nunique().to_dict()
        annot["class_enrichment"] = class_enrichment(frame["display_class"], _regions(xy, cfg.layout.seed))[:20]
        manifest = {**manifest, "metrics": metrics, "annotations": annot}

        def extra(folder: Path) -> None:
            for name, path in files.items():
                shutil.copy(path, folder / name)
            sets.to_parquet(folder / GENE_SETS, index=False)
            if matched is not None:
                pd.concat([f.assign(split=n) for n, f in matched.items()]).to_parquet(folder / GGI_PAIRS, index=False)

        self._timed("bundle", write_bundle, self.out, {**manifest, "timings": self.timings}, frame, emb, extra)
        return {**manifest, "timings": self.timings}


def _current_symbols(emb: Embedding, resolved: np.ndarray) -> tuple[Embedding, np.ndarray]:
    """The embedding under today's official symbols (as GO labels are), first name wins; and the
    rows of ``emb`` it kept."""
    names = np.where(pd.notna(resolved), resolved, emb.genes).astype(str)
    _, first = np.unique(names, return_index=True)
    first = np.sort(first)
    if len(first) == len(names) and (names == emb.genes).all():
        return emb, first
    return Embedding(names[first], emb.vectors[first]), first


def _array_digest(emb: Embedding) -> str:
    import hashlib

    h = hashlib.sha256(np.ascontiguousarray(emb.vectors).tobytes())
    h.update("\n".join(emb.genes).encode())
    return h.hexdigest()


def _regions(xy: np.ndarray, seed: int, n: int = 12) -> np.ndarray:
    """Map regions for the class-enrichment test: k-means on the 2-D coordinates."""
    from sklearn.cluster import KMeans

    if len(xy) < n * 20:
        return np.zeros(len(xy), dtype=int)
    return KMeans(n_clusters=n, random_state=seed, n_init=4).fit_predict(xy)


def _input_record(r: dict) -> dict:
    src = Path(r["source"])
    return {"name": r["name"], "file": src.name, "sha256": file_sha256(src) if src.exists() else None,
            "samples": r["samples"], "genes": r["genes"], "pairs": r["pairs"],
            "scale": r["preprocess"]["scale"], "log2_applied": r["preprocess"]["log2_applied"]}


def summary_lines(manifest: dict) -> list[str]:
    c = manifest["counts"]
    metrics = manifest["metrics"]
    clus = metrics["clusteredness"]
    lines = []
    if "imported" in manifest:
        lines.append(f"imported {manifest['imported']['file']}: {c['genes_embedded']:,} genes x "
                     f"{manifest['imported']['dims']} dims")
    else:
        lines += [f"data sets used: {len(manifest['inputs'])}, skipped: {len(manifest['datasets_skipped'])}"
                  + "".join(f"\n  skipped {Path(s['source']).name}: {s['reason']}"
                            for s in manifest["datasets_skipped"]),
                  f"pairs: {c['pairs']:,}  genes in pairs: {c['genes_in_pairs']:,}  "
                  f"genes embedded: {c['genes_embedded']:,}"]
    lines += clusteredness_lines(clus)
    for name, report in metrics.get("neighbours", {}).items():
        lines += neighbour_lines(name, report)
    if "ggipnn" in metrics:
        runs = {k: v for k, v in metrics["ggipnn"].items() if k != "baselines"}
        lines.append("GGIPNN test AUC (paper protocol): "
                     + ", ".join(f"{k} {v['test_auc']:.3f}" for k, v in runs.items())
                     + _baselines_text(metrics["ggipnn"].get("baselines", {})))
    if "pairs" in metrics:
        p = metrics["pairs"]
        lines.append(f"pair model test AUC (degree-matched): {p['pair_model']['auc']:.3f}, per-gene "
                     f"{p['pair_model']['per_gene_auc']:.3f}" + _baselines_text(p))
    lines.append(f"map: 10-NN kept {metrics['layout']['neighbourhood_preservation_10nn']:.3f}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in manifest["timings"].items()))
    return lines


def _baselines_text(figures: dict) -> str:
    names = ("additive", "popularity_norm", "popularity_contexts", "cosine")
    parts = [f"{n} {figures[n]['auc']:.3f}" for n in names if n in figures]
    return f"; baselines: {', '.join(parts)}" if parts else ""


def clusteredness_lines(clus: dict) -> list[str]:
    """The paper's ratio, and the pair AUC that can be read beside the raw co-expression's."""
    cos = clus["cosine"]
    lines = [f"clusteredness (cosine): {cos['ratio']:.3f} (within sets {cos['within']:.4f} / random "
             f"{cos['random']:.4f}) over {clus['sets_used']} gene sets; inner product "
             f"{clus['inner_product']['ratio']:.3f}; pair AUC {cos['pair_auc']:.3f}"]
    if "coexpression" in clus:
        co = clus["coexpression"]
        lines.append(f"  raw co-expression (mean Fisher z): pair AUC {co['pair_auc']:.3f} (within sets "
                     f"{co['within']:.4f} / random {co['random']:.4f}: a ratio over a mean near 0 means nothing)")
    return lines


def neighbour_lines(name: str, report: dict) -> list[str]:
    """Precision@k of the embedding beside random genes and the raw co-expression, same queries."""
    def line(label: str, m: dict) -> str:
        return (f"  {label}: precision@{report['k']} {m['precision']:.3f} ({m['lift']:.1f}x random "
                f"{m['random']:.3f}), recall in top 1% {m['recall_top_1pct']:.3f}")

    lines = [f"neighbours vs {name} ({report['sets']} sets of 5-200 genes, {report['queries']} query genes "
             f"of {report['genes']:,}):", line("embedding (cosine)", report["embedding"])]
    if "coexpression" in report:
        lines.append(line("raw co-expression (mean Fisher z)", report["coexpression"]))
    return lines
