"""The embedded demo compendium (``pipeline/demo_data``): real data, a few MB, no network.

What each file is and where it came from: ``demo_data/PROVENANCE.md``; checksums and counts:
``demo_data/MANIFEST.json``; rebuild: ``python -m pipeline demo-data --rebuild``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.cache import file_sha256
from pipeline.coexpression import PairSet
from pipeline.errors import InputError
from pipeline.sources.genes import GeneTable, read_gene_table

ROOT = Path(__file__).resolve().parents[1] / "demo_data"


def manifest() -> dict:
    try:
        return json.loads((ROOT / "MANIFEST.json").read_text())
    except FileNotFoundError:
        raise InputError("demo compendium missing: run `python -m pipeline demo-data --rebuild`", ROOT) from None


def verify() -> list[str]:
    """Files whose checksum differs from MANIFEST.json (empty when the compendium is intact)."""
    return [name for name, info in manifest()["files"].items()
            if not (ROOT / name).is_file() or file_sha256(ROOT / name) != info["sha256"]]


def expression_files() -> list[Path]:
    return sorted((ROOT / "expression").glob("*.parquet"))


def gene_table() -> GeneTable:
    return read_gene_table(ROOT / "genes.parquet")


def gene_set_files() -> list[Path]:
    return sorted((ROOT / "gene_sets").glob("*.gmt.gz"))


ATLASES = ("gtex", "hpa_tissue", "hpa_cell")     # GTEx v6 first: the default colouring, as in the paper


def atlas_files() -> list[Path]:
    return [ROOT / "tissues" / f"{key}.parquet" for key in ATLASES]


def gene_types_file() -> Path:
    return ROOT / "gencode_v36_gene_types.parquet"


def go_folder() -> Path:
    return ROOT / "go"


ARCHS4_FILE = ROOT / "archs4_tf_coexpression.parquet"


def archs4_pairs() -> PairSet:
    """ARCHS4 TF co-expression as a pair set (a TF with each of its top co-expressed genes)."""
    frame = pd.read_parquet(ARCHS4_FILE)
    genes, ids = np.unique(frame[["a", "b"]].to_numpy(dtype=str).ravel(), return_inverse=True)
    ids = ids.reshape(-1, 2).astype(np.int32)
    return PairSet("ARCHS4_TF_coexpression", genes, ids[:, 0], ids[:, 1],
                   np.full(len(ids), np.nan, dtype=np.float16))
