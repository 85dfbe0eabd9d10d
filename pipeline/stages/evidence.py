"""The evidence stage: per data set of the compendium, the embedded genes' profiles and expression
(after the co-expression stage's own preprocessing), and the ARCHS4 TF-list pairs, for the app's
"why are these two related" and "is this gene expressed anywhere"."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from pipeline.coexpression import preprocessed_sets
from pipeline.evidence import INDEX, PROFILES, condition, dataset_evidence, tf_list_pairs, write_evidence
from pipeline.runner import Stage, StageInputs
from pipeline.sources import demo
from pipeline.stages.contexts import expression_files


@dataclass(frozen=True)
class EvidenceFiles:
    """The stage's value: its folder (the files, for :func:`pipeline.evidence.read_profiles`) and record."""

    folder: Path
    record: dict


def _evidence(inputs: StageInputs) -> dict:
    p = inputs.params
    genes = inputs["embedding"].embedding.genes
    described = demo.manifest()["expression"] if p["demo"] else {}
    cfg, quantile = p["coexpression"], p["evidence"].expressed_quantile
    sets = [dataset_evidence(d.name, condition(described.get(d.name, {}).get("what", "")), d.genes, d.values,
                             genes, cfg.components, quantile)
            for d in preprocessed_sets(expression_files(inputs["coexpression"]), replace(cfg, components=0),
                                       p["gene_table"])]
    pairs = tf_list_pairs(pd.read_parquet(demo.ARCHS4_FILE), genes) if p["archs4_pairs"] else None
    record = write_evidence(inputs.folder, genes, sets, pairs, quantile)
    return {**record, "expressed": f"mean expression after preprocessing above the data set's {quantile:g} "
                                   "quantile of genes (unknown in a data set centred per gene)",
            "profiles": "float16, centred, unit norm: Pearson r of two genes in a data set is their dot product",
            "components_removed": cfg.components}


EVIDENCE = Stage("evidence", _evidence, needs=("coexpression", "embedding"),
                 params=("demo", "coexpression", "gene_table", "archs4_pairs", "evidence"),
                 files=lambda p: [demo.ARCHS4_FILE] if p["archs4_pairs"] else [],
                 load=EvidenceFiles, outs=(PROFILES, INDEX),
                 report=lambda value: {"evidence": value.record},
                 version=1)      # 1: format 2, levels per data set
