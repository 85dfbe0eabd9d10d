"""Stages that read the build's reference files (gene table, gene sets, gene types, tissue atlases,
GO), so that a bad file is refused, with its name, before any long stage runs. Each declares its
files: their checksums are in the key of every stage downstream of it."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.errors import InputError
from pipeline.runner import Stage, StageInputs
from pipeline.sources import demo
from pipeline.sources.atlases import Atlas, read_atlas
from pipeline.sources.genes import GeneTable, read_gene_table, read_gene_types
from pipeline.sources.genesets import read_gmt
from pipeline.sources.go import GeneOntology, read_gene2go, read_go_extract, read_obo


def all_sets(files: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    """Every set of every gene-set file (names are unique within a file; a later file wins a clash)."""
    return {name: genes for sets in files.values() for name, genes in sets.items()}


def _gene_table_files(p: dict) -> list[Path]:
    return [Path(p["gene_table"]) if p["gene_table"] else demo.ROOT / "genes.parquet"]


def _gene_table(inputs: StageInputs) -> GeneTable:
    return read_gene_table(_gene_table_files(inputs.params)[0])


def _gene_set_files(p: dict) -> list[Path]:
    return [Path(f) for f in p["gene_sets"]] or demo.gene_set_files()


def _gene_sets(inputs: StageInputs) -> dict[str, dict[str, list[str]]]:
    """Gene-set file name -> its sets (the compendium's Reactome and WikiPathways by default)."""
    return {f.name: read_gmt(f) for f in _gene_set_files(inputs.params)}


def _gene_types_files(p: dict) -> list[Path]:
    return [Path(p["gene_types"]) if p["gene_types"] else demo.gene_types_file()]


def _gene_types(inputs: StageInputs) -> pd.Series:
    return read_gene_types(_gene_types_files(inputs.params)[0])


def _atlas_files(p: dict) -> list[Path]:
    return [Path(f) for f in p["tissues"]] or demo.atlas_files()


def _atlases(inputs: StageInputs) -> list[Atlas]:
    atlases = [read_atlas(p) for p in _atlas_files(inputs.params)]
    keys = [a.key for a in atlases]
    if len(set(keys)) < len(keys):
        raise InputError(f"two tissue atlases share a name ({keys}): rename one file")
    return atlases


def _go_files(p: dict) -> list[Path]:
    if bool(p["gene2go"]) != bool(p["go_obo"]):
        raise InputError("give both gene2go and go_obo, or neither (the compendium's GO extract)")
    return [Path(p["gene2go"]), Path(p["go_obo"])] if p["gene2go"] else sorted(demo.go_folder().glob("*.parquet"))


def _gene_ontology(inputs: StageInputs) -> GeneOntology:
    p, genes = inputs.params, inputs["gene_table"]
    if p["gene2go"]:
        return GeneOntology(read_gene2go(p["gene2go"], genes), *read_obo(p["go_obo"]))
    return read_go_extract(demo.go_folder(), genes)


GENE_TABLE = Stage("gene_table", _gene_table, params=("gene_table",), files=_gene_table_files)
GENE_SETS = Stage("gene_sets", _gene_sets, params=("gene_sets",), files=_gene_set_files)
GENE_TYPES = Stage("gene_types", _gene_types, params=("gene_types",), files=_gene_types_files)
ATLASES = Stage("atlases", _atlases, params=("tissues",), files=_atlas_files)
GENE_ONTOLOGY = Stage("gene_ontology", _gene_ontology, needs=("gene_table",), params=("gene2go", "go_obo"),
                      files=_go_files)
