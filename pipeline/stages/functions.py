"""The functions stage: what each gene does, predicted from its vectors (ARCHS4's question) and, when
the build has the evidence stage, the compendium's per-data-set profiles, and the tissue atlases'
profiles (the annotations' z-scores), for GO BP (propagated) and every gene-set file of the build;
each gene scored out of fold, its best terms kept."""
from __future__ import annotations

import time

from pipeline import functions as F
from pipeline.bundle import FUNCTIONS
from pipeline.errors import InputError
from pipeline.evidence import read_profiles
from pipeline.function_table import best_terms, profile_groups, scored, sizes_for, write_functions
from pipeline.ggi import term_gene_sets
from pipeline.runner import Stage, StageInputs


def _functions(inputs: StageInputs) -> dict:
    cfg = inputs.params["functions"]
    if cfg.method not in F.METHODS:
        raise InputError(f"functions method must be one of {', '.join(F.METHODS)}, got {cfg.method!r}")
    embedding = inputs["embedding"].embedding
    genes, vectors = embedding.genes, embedding.vectors
    libraries = {"GO BP": term_gene_sets(inputs["gene_ontology"], genes, *sizes_for("GO BP"))}
    libraries.update({name.split(".")[0]: sets for name, sets in inputs["gene_sets"].items()})
    near = F.neighbours(vectors, cfg.neighbours)
    evidence = inputs["evidence"]          # None in an import: no compendium, the vectors alone
    profiles = profile_groups(None if evidence is None else read_profiles(evidence.folder, genes),
                              inputs["annotations"][0] if cfg.tissues else None)
    tables, record = [], {}
    for library, sets in libraries.items():
        start = time.perf_counter()
        members, terms, blocks = scored(genes, vectors, sets, library, near, cfg.folds, cfg.seed, cfg.method,
                                        profiles)
        if len(terms) < 2:
            record[library] = {"terms": len(terms), "skipped": "fewer than 2 terms of the scored sizes"}
            continue
        tables.append(best_terms(library, members, terms, inputs.progress(part=library)(blocks), cfg.top))
        record[library] = {"terms": len(terms), "sizes": list(sizes_for(library)),
                           "genes_annotated": int((members.getnnz(axis=1) > 0).sum()),
                           "seconds": round(time.perf_counter() - start, 1)}
    if not tables:
        raise InputError("no gene-set library has 2 terms of the scored sizes among the embedded genes")
    write_functions(inputs.folder, tables)
    return {"method": cfg.method, "folds": cfg.folds, "seed": cfg.seed,
            "top": cfg.top, "libraries": record,
            "profiles": {group: len(found[0]) for group, found in profiles.items()},   # data sets, atlases
            "probability": "calibrated out of fold: the share of predictions this strong that the library lists"}


FUNCTIONS_STAGE = Stage("functions", _functions,
                        needs=("embedding", "gene_ontology", "gene_sets", "evidence?", "annotations"),
                        params=("functions",), load=lambda folder, record: record, outs=(FUNCTIONS,),
                        report=lambda r: {"functions": r},
                        version=7)   # 1: calibrated at the top; 2: no bin without sampled non-members; 3: breadth;
                                     # 4: the tissue atlases; 5: per-data-set columns, 4,000 stacked genes;
                                     # 6: the second stage (co-annotation); 7: its first score x size
