"""Stages of the map: the 2-D layout, one annotated row per gene (identity, class, tissue
z-scores), the tissue-pattern figure, map regions' class enrichment, and the gene sets the app's
enrichment tests."""
from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.annotate import class_enrichment, display_class, first_known, tissue_zscores, z_limit
from pipeline.bundle import GENE_SETS, tissue_column
from pipeline.evaluate import cosine_neighbours, map_neighbours, tissue_patterns
from pipeline.ggi import term_gene_sets
from pipeline.layout import neighbourhood_preservation, tsne_layout
from pipeline.npy import load_npy
from pipeline.runner import Stage, StageInputs
from pipeline.sources.atlases import atlas_by_symbol
from pipeline.support import tier


def _layout(inputs: StageInputs) -> dict:
    vectors = inputs["embedding"].embedding.vectors
    xy, info = tsne_layout(vectors, inputs.params["layout"])
    np.save(inputs.folder / "xy.npy", xy)
    info["neighbourhood_preservation_10nn"] = round(neighbourhood_preservation(vectors, xy), 4)
    return info


LAYOUT = Stage("layout", _layout, needs=("embedding",), params=("layout",),
               load=lambda folder, info: (load_npy(folder / "xy.npy"), info),
               report=lambda v: {"metrics": {"layout": v[1]}})


def _annotations(inputs: StageInputs) -> dict:
    """One row per embedded gene: identity and class from the gene table (by each gene's official
    symbol today, so an imported embedding with older symbols is annotated too) and GENCODE, map
    position, contexts, and the tissue z-scores of every atlas."""
    vectors, genes, resolved = inputs["embedding"], inputs["gene_table"], inputs["symbols"]
    table = genes.by_symbol().reindex(resolved)
    ensembl = table["ensembl"].fillna("").astype(str)
    xy = inputs["layout"][0]
    n = len(vectors.embedding.genes)
    frame = pd.DataFrame({
        "symbol": vectors.embedding.genes,
        "entrez": table["entrez"].astype("Int64").to_numpy(),
        "ensembl": ensembl.str.split("|").str[0].to_numpy(),
        "type_of_gene": table["type_of_gene"].fillna("unknown").to_numpy(),
        "gene_type": first_known(ensembl, inputs["gene_types"]).to_numpy(),
        "description": table["description"].fillna("").to_numpy(),
        "aliases": table["aliases"].fillna("").to_numpy(),
        "contexts": pd.array(vectors.contexts if vectors.contexts is not None else [pd.NA] * n, dtype="Int64"),
        "datasets": pd.array(vectors.datasets if vectors.datasets is not None else [pd.NA] * n, dtype="Int64"),
        "support": tier(vectors.contexts if vectors.contexts is not None else np.full(n, np.nan)),
        "x": xy[:, 0], "y": xy[:, 1],
    })
    frame.insert(3, "display_class", display_class(frame["symbol"], frame["type_of_gene"], frame["gene_type"]))
    floor = inputs.params["tissue"].floor
    atlases, columns = [], []
    for atlas in inputs["atlases"]:
        z = tissue_zscores(atlas_by_symbol(atlas, genes), floor).reindex(resolved)
        columns.append(pd.DataFrame(z.to_numpy(), columns=[tissue_column(atlas.key, t) for t in z.columns]))
        atlases.append({"key": atlas.key, **atlas.meta, "floor": floor, "tissues": list(z.columns),
                        "genes_scored": int(z.notna().any(axis=1).sum()), "z_limit": z_limit(z)})
    pd.concat([frame, *columns], axis=1).to_parquet(inputs.folder / "genes.parquet", index=False)
    return {"atlases": atlases, "atlases_feed_embedding": False,
            "atlases_note": "tissue atlases colour and grade the map; they never feed the embedding",
            "genes_in_gene_table": int(pd.notna(resolved).sum()),
            "classes": frame["display_class"].value_counts().to_dict()}


ANNOTATIONS = Stage("annotations", _annotations,
                    needs=("embedding", "gene_table", "gene_types", "atlases", "symbols", "layout"),
                    params=("tissue",), load=lambda folder, info: (pd.read_parquet(folder / "genes.parquet"), info),
                    report=lambda v: {"annotations": v[1]},
                    version=1)    # 1: LINC<n> ncRNAs without a GENCODE id are lncRNA


def _tissue_patterns(inputs: StageInputs) -> dict:
    """Per atlas and tissue: do its specific genes gather on the map and in the embedding
    (k-nearest-gene fraction against random genes of matched number)?"""
    cfg, frame = inputs.params["tissue"], inputs["annotations"][0]
    map_nn = map_neighbours(inputs["layout"][0], cfg.neighbours)
    emb_nn = cosine_neighbours(inputs["embedding"].embedding.vectors, cfg.neighbours)
    out = {}
    for atlas in inputs["atlases"]:
        z = pd.DataFrame({t: frame[tissue_column(atlas.key, t)] for t in atlas.tissues})
        out[atlas.key] = tissue_patterns(z, map_nn, emb_nn, cfg.specific_z, seed=cfg.seed)
    return out


TISSUE_PATTERNS = Stage("tissue_patterns", _tissue_patterns, needs=("embedding", "layout", "annotations", "atlases"),
                        params=("tissue",), load=lambda folder, record: record,
                        report=lambda r: {"metrics": {"tissue_patterns": r}})


def _enrichment_sets(inputs: StageInputs) -> dict:
    """The gene sets the app's enrichment tests, restricted to the map's genes (min-max of them):
    GO BP terms (propagated, any evidence) and every set of the build's gene-set files."""
    cfg, symbols = inputs.params["enrichment"], inputs["annotations"][0]["symbol"]
    universe = set(symbols)
    sources = {"GO BP": term_gene_sets(inputs["gene_ontology"], symbols.to_numpy(), cfg.min_size, cfg.max_size)}
    for name, sets in inputs["gene_sets"].items():
        kept = {set_name: [g for g in members if g in universe] for set_name, members in sets.items()}
        sources[name.split(".")[0]] = {k: v for k, v in kept.items() if cfg.min_size <= len(v) <= cfg.max_size}
    frame = pd.DataFrame([(source, name, gene) for source, sets in sources.items()
                          for name, members in sets.items() for gene in members], columns=["source", "name", "gene"])
    frame.to_parquet(inputs.folder / GENE_SETS, index=False)
    return frame.groupby("source")["name"].nunique().to_dict()


ENRICHMENT_SETS = Stage("enrichment_sets", _enrichment_sets, needs=("annotations", "gene_ontology", "gene_sets"),
                        params=("enrichment",), load=lambda folder, record: record, outs=(GENE_SETS,),
                        report=lambda r: {"annotations": {"gene_sets": r}})


def _regions(xy: np.ndarray, seed: int, n: int = 12) -> np.ndarray:
    """Map regions for the class-enrichment test: k-means on the 2-D coordinates."""
    from sklearn.cluster import KMeans

    if len(xy) < n * 20:
        return np.zeros(len(xy), dtype=int)
    return KMeans(n_clusters=n, random_state=seed, n_init=4).fit_predict(xy)


def _class_enrichment(inputs: StageInputs) -> dict:
    """Which display classes are over-represented in which map region (the paper's map reading)."""
    classes = inputs["annotations"][0]["display_class"]
    return {"regions": class_enrichment(classes, _regions(inputs["layout"][0], inputs.params["layout"].seed))[:20]}


CLASS_ENRICHMENT = Stage("class_enrichment", _class_enrichment, needs=("layout", "annotations"), params=("layout",),
                         load=lambda folder, record: record["regions"],
                         report=lambda r: {"annotations": {"class_enrichment": r}})

