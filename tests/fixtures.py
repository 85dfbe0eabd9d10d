"""A small, complete set of input files with planted modules: expression tables, an NCBI-style
gene table, gene sets, GO (gene2go + OBO) and a GTEx-style GCT. Every reader of the pipeline
reads its real format here, and the right answers are known (genes of a module belong together).
"""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.synthetic import planted_expression

N_MODULES, MODULE_SIZE = 10, 20
TISSUES = ("liver", "brain", "muscle", "blood", "heart", "lung", "skin", "testis")
# a few genes get names that exercise the display-class rules (and an alias)
SPECIAL = {"G000": ("MIR21", "ncRNA"), "G001": ("LOC100", "ncRNA"), "G002": ("SNORD3A", "snoRNA"),
           "G003": ("C1orf50", "protein-coding"), "G004": ("PSG1P", "pseudo"), "G005": ("XIST", "ncRNA")}


def gene_names() -> tuple[np.ndarray, np.ndarray]:
    _, genes, modules = planted_expression(N_MODULES, MODULE_SIZE, 3, n_background=40)
    names = np.array([SPECIAL.get(g, (g, ""))[0] for g in genes])
    return names, modules


def write_inputs(folder: Path) -> dict[str, Path]:
    """Write every input file into ``folder``; return their paths by role."""
    folder.mkdir(parents=True, exist_ok=True)
    names, modules = gene_names()
    paths: dict[str, Path] = {}
    for k, (samples, seed, suffix) in enumerate(((45, 1, ".tsv"), (60, 2, ".csv.gz"), (12, 3, ".tsv"))):
        values, _, _ = planted_expression(N_MODULES, MODULE_SIZE, samples, n_background=40, seed=seed)
        frame = pd.DataFrame(values.round(4), columns=[f"S{k}_{j}" for j in range(samples)])
        frame.insert(0, "gene", names)
        path = folder / f"set{k}{suffix}"
        frame.to_csv(path, sep="," if ".csv" in suffix else "\t", index=False)
        paths[f"expression{k}"] = path

    types = [SPECIAL.get(f"G{k:03d}", ("", "protein-coding"))[1] if k < len(SPECIAL) else "protein-coding"
             for k in range(len(names))]
    info = pd.DataFrame({
        "#tax_id": 9606, "GeneID": np.arange(1, len(names) + 1), "Symbol": names, "LocusTag": "-",
        "Synonyms": ["OLDNAME1" if k == 10 else "-" for k in range(len(names))],
        "dbXrefs": [f"Ensembl:ENSG{k:011d}" for k in range(len(names))], "chromosome": "1",
        "map_location": "-", "description": [f"planted module {m} gene" if m >= 0 else "background gene"
                                             for m in modules],
        "type_of_gene": types})
    paths["gene_info"] = folder / "Homo_sapiens.gene_info.gz"
    with gzip.open(paths["gene_info"], "wt") as fh:
        info.to_csv(fh, sep="\t", index=False)

    paths["gmt"] = folder / "modules.gmt"
    paths["gmt"].write_text("".join(f"MODULE_{m}\thttp://example.org/{m}\t"
                                    + "\t".join(names[modules == m]) + "\n" for m in range(N_MODULES)))

    rng = np.random.default_rng(5)
    tpm = rng.gamma(2.0, 5.0, size=(len(names), len(TISSUES)))
    for m in range(N_MODULES):                                   # module m is specific to tissue m % 8
        tpm[modules == m, m % len(TISSUES)] *= 30
    gct = pd.DataFrame(tpm.round(3), columns=list(TISSUES))
    gct.insert(0, "Description", names)
    gct.insert(0, "Name", [f"ENSG{k:011d}.5" for k in range(len(names))])
    paths["gct"] = folder / "gtex_median_tpm.gct"
    paths["gct"].write_text(f"#1.2\n{len(gct)}\t{len(TISSUES)}\n" + gct.to_csv(sep="\t", index=False))

    # GO: root -> 3 levels of generic terms -> one specific (level 4) term per module
    obo = ["format-version: 1.2", "", "[Term]", "id: GO:0008150", "name: biological_process",
           "namespace: biological_process", ""]
    chain = ["GO:0008150", "GO:1000001", "GO:1000002", "GO:1000003"]
    for child, parent in zip(chain[1:], chain[:-1]):
        obo += ["[Term]", f"id: {child}", f"name: generic {child}", "namespace: biological_process",
                f"is_a: {parent} ! parent", ""]
    for m in range(N_MODULES):
        obo += ["[Term]", f"id: GO:20000{m:02d}", f"name: module {m} process", "namespace: biological_process",
                f"is_a: {chain[-1]} ! generic", ""]
    paths["obo"] = folder / "go-basic.obo"
    paths["obo"].write_text("\n".join(obo))
    rows = [(9606, k + 1, f"GO:20000{m:02d}", "IDA", "involved_in", f"module {m} process", "-", "Process")
            for k, m in enumerate(modules) if m >= 0]
    paths["gene2go"] = folder / "gene2go.gz"
    with gzip.open(paths["gene2go"], "wt") as fh:
        pd.DataFrame(rows, columns=["#tax_id", "GeneID", "GO_ID", "Evidence", "Qualifier", "GO_term",
                                    "PubMed", "Category"]).to_csv(fh, sep="\t", index=False)

    paths["config"] = folder / "build.toml"
    paths["config"].write_text(f"""
inputs = ["{paths['expression0'].name}", "{paths['expression1'].name}", "{paths['expression2'].name}"]
gene_table = "{paths['gene_info'].name}"
gene_sets = ["{paths['gmt'].name}"]
tissues = "{paths['gct'].name}"
gene2go = "{paths['gene2go'].name}"
go_obo = "{paths['obo'].name}"
seed = 7

[coexpression]
threshold = 0.9
min_samples = 30

[embedding]
dims = 32
epochs = 50          # a few hundred pairs: word2vec needs many passes
min_count = 1
sample = 0.0         # with ~2k tokens, the default 1e-3 would down-sample every gene

[ggi]
max_positive_pairs = 0

[ggipnn]
max_epochs = 25
patience = 5
""")
    return paths


def with_high_support(bundle: Path, folder: Path) -> Path:
    """A copy of the small bundle (where every gene has < 30 contexts) in which the genes of the
    first three modules are well supported."""
    copy = folder / "bundle"
    shutil.copytree(bundle, copy)
    genes = pd.read_parquet(copy / "genes.parquet")
    strong = genes["description"].str.contains(r"module [012] ", regex=True)
    genes.loc[strong, "contexts"], genes.loc[strong, "support"] = 150, "high"
    genes.to_parquet(copy / "genes.parquet", index=False)
    return copy
