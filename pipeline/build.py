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
from pipeline.bundle import tissue_column, write_bundle
from pipeline.cache import StageCache, digest, file_sha256
from pipeline.coexpression import StoredPairs, run_coexpression
from pipeline.config import BuildConfig
from pipeline.embedding import Embedding, PairCorpus, train_embedding
from pipeline.errors import InputError
from pipeline.evaluate import clusteredness, cosine_neighbours, map_neighbours, tissue_patterns
from pipeline.ggi import SPLITS, labelled_pairs
from pipeline.ggipnn import PairData, save_predictor, train_ggipnn
from pipeline.layout import neighbourhood_preservation, tsne_layout
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
    gene_sets: dict[str, list[str]]
    gene_types: pd.Series             # GENCODE gene type by Ensembl gene id
    atlases: list[tuple[Atlas, pd.DataFrame]]   # each atlas, and its linear expression by official symbol


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
        sets: dict[str, list[str]] = {}
        for f in self.gene_set_files():
            sets.update(read_gmt(f))
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

    def embedding(self, pair_files: list[Path], gene_sets: dict[str, list[str]]) -> tuple[Embedding, dict]:
        """Train (or resume, or reuse) the embedding; clusteredness is recorded after every epoch."""
        extra = [demo.ARCHS4_FILE] if self.config.archs4_pairs else []
        key = digest({"pairs": [f.name for f in pair_files], "extra": [file_sha256(p) for p in extra],
                      "embedding": asdict(self.config.embedding), "gene_sets": self._gene_sets_id(),
                      "clusteredness": asdict(self.config.clusteredness)})
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
            return {**stats, "sources": list(corpus.sources)}

        folder, stats = self.cache.run("embedding", key, make)
        shutil.rmtree(checkpoints, ignore_errors=True)
        return Embedding.load(folder), stats

    def _gene_sets_id(self) -> list[str]:
        return [file_sha256(p) for p in self.gene_set_files()]

    def gene_ontology(self, genes: GeneTable) -> GeneOntology:
        if bool(self.config.gene2go) != bool(self.config.go_obo):
            raise InputError("give both gene2go and go_obo, or neither (the compendium's GO extract)")
        if self.config.gene2go:
            return GeneOntology(read_gene2go(self.config.gene2go, genes), read_obo(self.config.go_obo))
        return read_go_extract(demo.go_folder(), genes)

    def ggi_pairs(self, genes: GeneTable) -> tuple[dict[str, pd.DataFrame], str]:
        sources = ([self.config.gene2go, self.config.go_obo] if self.config.gene2go
                   else sorted(str(p) for p in demo.go_folder().glob("*.parquet")))
        key = digest({"go": [file_sha256(Path(p)) for p in sources], "genes": self._gene_table_id(),
                      "ggi": asdict(self.config.ggi)})

        def make(folder: Path) -> dict:
            splits = labelled_pairs(self.gene_ontology(genes), self.config.ggi)
            for name, frame in splits.items():
                frame.to_parquet(folder / f"{name}.parquet", index=False)
            return {name: {"pairs": len(f), "positives": int(f["label"].sum()),
                           "genes": len(set(f["gene_a"]) | set(f["gene_b"]))} for name, f in splits.items()}

        folder, _ = self.cache.run("ggi", key, make)
        return {name: pd.read_parquet(folder / f"{name}.parquet") for name in SPLITS}, key

    def ggipnn(self, emb: Embedding, splits: dict[str, pd.DataFrame], splits_key: str,
               runs: tuple[str, ...] = GGIPNN_RUNS) -> tuple[Path, dict]:
        """The paper's GGIPNN runs: our vectors or random ones, frozen or trainable. The frozen
        model on our vectors (the paper's best) is the one the app uses."""
        data = {name: PairData.from_frame(f) for name, f in splits.items()}
        key = digest({"vectors": _array_digest(emb), "pairs": splits_key, "ggipnn": asdict(self.config.ggipnn),
                      "runs": runs})

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
            return results

        folder, results = self.cache.run("ggipnn", key, make)
        return folder / "ggipnn.pt", results

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

    def gene_frame(self, emb: Embedding, xy: np.ndarray, resolved: np.ndarray) -> tuple[pd.DataFrame, dict]:
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
        emb, emb_stats = self._timed("embedding", self.embedding, pair_files, self.references.gene_sets)
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
        })

    def run_import(self, path: Path, ggipnn: bool = True) -> dict:
        """Any embedding file -> bundle (layout, annotations, clusteredness, a frozen GGIPNN)."""
        from pipeline.sources.embeddings import read_embedding

        emb = self._timed("read embedding", read_embedding, path)
        self._timed("reference files", lambda: self.references)
        return self.finish(emb, {
            "config": {k: v for k, v in self.config.to_dict().items()
                       if k in ("clusteredness", "ggi", "ggipnn", "layout", "tissue", "seed", "gene_sets",
                                "gene_table", "gene_types", "tissues", "gene2go", "go_obo")},
            "seed": self.config.seed,
            "imported": {"file": Path(path).name, "sha256": file_sha256(Path(path)) if Path(path).is_file() else None,
                         "genes": len(emb.genes), "dims": int(emb.vectors.shape[1])},
            "inputs": [], "datasets_skipped": [], "extra_pairs": [],
            "counts": {"pairs": 0, "genes_in_pairs": 0, "genes_embedded": len(emb.genes)},
        }, runs=("gene2vec_frozen",) if ggipnn else ())

    def finish(self, emb: Embedding, manifest: dict, runs: tuple[str, ...] = GGIPNN_RUNS) -> dict:
        """The stages after the embedding, shared by builds and imports."""
        cfg = self.config
        genes = self.references.genes
        resolved = genes.resolve(emb.genes)["symbol"].to_numpy()      # today's symbol (None: unknown)
        clus = self._timed("clusteredness", clusteredness, emb.genes, emb.vectors, self.references.gene_sets,
                           cfg.clusteredness)
        metrics: dict = {"clusteredness": clus}
        model = None
        if runs:
            splits, splits_key = self._timed("GGI labels", self.ggi_pairs, genes)
            model, metrics["ggipnn"] = self._timed("GGIPNN", self.ggipnn, _current_symbols(emb, resolved), splits,
                                                   splits_key, runs)
            manifest["ggi_pairs"] = {n: {"pairs": len(f), "positives": int(f["label"].sum())}
                                     for n, f in splits.items()}
        xy, metrics["layout"] = self._timed("layout", self.layout, emb)
        frame, annot = self._timed("annotations", self.gene_frame, emb, xy, resolved)
        metrics["tissue_patterns"] = self._timed("tissue patterns", self.tissue_patterns, emb, xy, frame)
        annot["class_enrichment"] = class_enrichment(frame["display_class"], _regions(xy, cfg.layout.seed))[:20]
        manifest = {**manifest, "metrics": metrics, "annotations": annot}
        self._timed("bundle", write_bundle, self.out, {**manifest, "timings": self.timings}, frame, emb,
                    (lambda folder: shutil.copy(model, folder / "ggipnn.pt")) if model else None)
        return {**manifest, "timings": self.timings}


def _current_symbols(emb: Embedding, resolved: np.ndarray) -> Embedding:
    """The embedding under today's official symbols (as GO labels are), first name wins."""
    names = np.where(pd.notna(resolved), resolved, emb.genes).astype(str)
    _, first = np.unique(names, return_index=True)
    first = np.sort(first)
    if len(first) == len(names) and (names == emb.genes).all():
        return emb
    return Embedding(names[first], emb.vectors[first])


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
    lines.append(f"clusteredness (cosine): {clus['cosine']['ratio']:.3f} over {clus['sets_used']} gene sets "
                 f"(inner product {clus['inner_product']['ratio']:.3f})")
    if "ggipnn" in metrics:
        lines.append("GGIPNN test AUC: " + ", ".join(f"{k} {v['test_auc']:.3f}" for k, v in metrics["ggipnn"].items()))
    lines.append(f"map: 10-NN kept {metrics['layout']['neighbourhood_preservation_10nn']:.3f}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in manifest["timings"].items()))
    return lines
