"""Stages that grade the embedding: clusteredness and neighbour precision beside the raw
co-expression, GO pair labels, the paper's GGIPNN with its baselines, and the app's pair model."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.bundle import GGI_PAIRS
from pipeline.coexpression import preprocessed_sets
from pipeline.embedding import Embedding
from pipeline.evaluate import clusteredness, coexpression_clusteredness, fisher_z_similarity, neighbour_report
from pipeline.ggi import SPLITS, degree_balance, labelled_pairs
from pipeline.runner import Stage, StageInputs
from pipeline.stages.contexts import current_symbols, expression_files
from pipeline.stages.sources import all_sets
from pipeline.support import tier_report


def _quality(inputs: StageInputs) -> dict:
    """Clusteredness and neighbour precision on the build's gene sets, each beside the raw
    co-expression of the build's data sets on the same genes (an import has none)."""
    p, emb = inputs.params, inputs["embedding"].embedding
    files, sets = inputs["gene_sets"], all_sets(inputs["gene_sets"])
    expression = expression_files(inputs["coexpression"])

    def datasets():
        return ((d.genes, d.values) for d in preprocessed_sets(expression, p["coexpression"], p["gene_table"]))

    clus = clusteredness(emb.genes, emb.vectors, sets, p["clusteredness"], ", ".join(files))
    if expression:
        clus["coexpression"] = coexpression_clusteredness(datasets(), emb.genes, sets, p["clusteredness"])
    similarity = (lambda rows: fisher_z_similarity(datasets(), emb.genes, rows)) if expression else None
    out = {"clusteredness": clus,
           "neighbours": {name: neighbour_report(emb.genes, emb.vectors, s, p["neighbours"], similarity, name)
                          for name, s in files.items()}}
    vectors = inputs["embedding"]
    if vectors.contexts is not None:
        out["support"] = {name: tier_report(emb.genes, emb.vectors, vectors.contexts, s, p["neighbours"], None, name)
                          for name, s in files.items()}
    if vectors.raw is not None:
        out["without_postprocessing"] = _plain_figures(emb.genes, vectors.raw, sets, files, p)
    return out


def _plain_figures(genes, raw, sets: dict, files: dict, p: dict) -> dict:
    """The method's own vectors (before centring / combining): the figures the post-processing moves."""
    clus = clusteredness(genes, raw, sets, p["clusteredness"])
    return {"clusteredness": {k: clus["cosine"][k] for k in ("ratio", "pair_auc", "within", "random")},
            "neighbours": {name: neighbour_report(genes, raw, s, p["neighbours"])["embedding"]
                           for name, s in files.items()}}


QUALITY = Stage("quality", _quality, needs=("embedding", "gene_sets", "coexpression?"),
                params=("clusteredness", "neighbours", "coexpression", "gene_table"),
                load=lambda folder, record: record, report=lambda q: {"metrics": q})


# --- GO pair labels -----------------------------------------------------------------------------

def _labels(negatives: str):
    """Labelled GO pairs in gene-disjoint splits: ``"random"`` negatives (the paper's protocol, for
    GGIPNN) or ``"degree"`` (each gene as many negatives as positives, for the pair model)."""
    def run(inputs: StageInputs) -> dict:
        splits = labelled_pairs(inputs["gene_ontology"], replace(inputs.params["ggi"], negatives=negatives))
        pd.concat([f.assign(split=n) for n, f in splits.items()]).to_parquet(inputs.folder / GGI_PAIRS, index=False)
        return {}
    return run


def _splits(folder: Path, record: dict) -> dict[str, pd.DataFrame]:
    frame = pd.read_parquet(folder / GGI_PAIRS)
    return {n: frame[frame["split"] == n].drop(columns="split").reset_index(drop=True) for n in SPLITS}


def _balance(kind: str):
    return lambda splits: {"ggi_pairs": {kind: {n: {"pairs": len(f), "positives": int(f["label"].sum()),
                                                    **degree_balance(f)} for n, f in splits.items()}}}


GGI_PAPER = Stage("ggi_paper", _labels("random"), needs=("gene_ontology",), params=("ggi",), load=_splits,
                  report=_balance("paper protocol"))
GGI_DEGREE = Stage("ggi_degree", _labels("degree"), needs=("gene_ontology",), params=("ggi",), load=_splits,
                   outs=(GGI_PAIRS,), report=_balance("degree-matched"))


# --- the paper's GGIPNN and the app's pair model --------------------------------------------------

def _data(splits: dict[str, pd.DataFrame]) -> dict:
    """PairData by split name (torch is imported only when a model stage runs: reruns start fast)."""
    from pipeline.ggipnn import PairData

    return {name: PairData.from_frame(f) for name, f in splits.items()}


def _ggipnn(inputs: StageInputs) -> dict:
    """The paper's GGIPNN runs (our vectors or random ones, frozen or trainable) on the paper's
    protocol; the frozen run on our vectors is the paper's reproduction, saved as the model."""
    from pipeline.ggipnn import save_predictor, train_ggipnn

    cfg, data = inputs.params["ggipnn"], _data(inputs["ggi_paper"])
    emb = current_symbols(inputs["embedding"], inputs["symbols"]).embedding
    results = {}
    for name in cfg.runs:
        run_cfg = replace(cfg, trainable=name.endswith("trainable"))
        trained = train_ggipnn(emb if name.startswith("gene2vec") else None, data["train"], data["valid"],
                               data["test"], run_cfg, dims=emb.vectors.shape[1],
                               progress=inputs.progress(run_cfg.max_epochs, "epoch", name), name=f"ggipnn {name}")
        results[name] = {**trained.metrics, "history": trained.history}
        if name == "gene2vec_frozen":
            save_predictor(trained, inputs.folder / "ggipnn.pt")
    return results


GGIPNN = Stage("ggipnn", _ggipnn, needs=("embedding", "symbols", "ggi_paper"), params=("ggipnn",),
               load=lambda folder, record: record, outs=("ggipnn.pt",),
               report=lambda r: {"metrics": {"ggipnn": r}})


def _ggipnn_baselines(inputs: StageInputs) -> dict:
    """Beside GGIPNN, on the same test pairs: what needs no pair signal (additive, popularity) and cosine."""
    from pipeline.pairs import baselines

    cfg, current = inputs.params["pair_model"], current_symbols(inputs["embedding"], inputs["symbols"])
    return baselines(current.embedding, _data(inputs["ggi_paper"]), cfg, current.contexts,
                     inputs.progress(cfg.max_epochs, "epoch", "additive"))


GGIPNN_BASELINES = Stage("ggipnn_baselines", _ggipnn_baselines,
                         needs=("embedding", "symbols", "ggi_paper"), params=("pair_model",),
                         load=lambda folder, record: record, report=lambda r: {"metrics": {"ggipnn": {"baselines": r}}})


def _pairs(inputs: StageInputs) -> dict:
    """The app's pair model on degree-matched GO pairs, calibrated by mutual rank on valid (saved in
    pairs.pt, so the app and API read calibrated P), with its baselines; hub concentration and
    partner precision on the build's gene sets, beside the cosine neighbours'."""
    from pipeline.pairs import PairPredictor, list_quality, pair_benchmark, save_pair_model

    p, current = inputs.params, current_symbols(inputs["embedding"], inputs["symbols"])
    emb, cfg = current.embedding, p["pair_model"]
    bundle = inputs["embedding"].embedding           # the bundle's rows: the calibration's knots are theirs
    trained, calibration, figures = pair_benchmark(emb, _data(inputs["ggi_degree"]), cfg, current.contexts,
                                                   lambda name: inputs.progress(cfg.max_epochs, "epoch", name),
                                                   bundle.vectors)
    path = inputs.folder / "pairs.pt"
    save_pair_model(trained.model.encoder, cfg, path, figures, calibration)
    today = Embedding(np.where(pd.notna(inputs["symbols"]), inputs["symbols"], bundle.genes).astype(str),
                      bundle.vectors)                  # every bundle row, named as the gene sets name it
    quality = list_quality(today, PairPredictor(path, bundle.vectors), inputs["gene_sets"], p["neighbours"])
    return {**figures, **quality}


PAIRS = Stage("pairs", _pairs, needs=("embedding", "symbols", "ggi_degree", "gene_sets"),
              params=("pair_model", "neighbours"), load=lambda folder, record: record, outs=("pairs.pt",),
              report=lambda r: {"metrics": {"pairs": r}})
