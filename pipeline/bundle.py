"""The bundle: the one folder the app reads. Written atomically, read with validation.

Layout: ``manifest.json`` (parameters, seeds, inputs, metrics, timings), ``genes.parquet``
(one row per embedded gene, row k <-> vector k; tissue z-scores in ``tissue:ATLAS:TISSUE``
columns), ``embedding.npy`` + ``embedding.genes.txt`` (fast copy) and ``embedding.w2v.txt``
(word2vec text format), optionally ``pairs.pt`` (the app's pair model) with ``ggi_pairs.parquet``
(its degree-matched GO pairs, split column), ``ggipnn.pt`` (the paper's GGIPNN, reproduced) and
``gene_sets.parquet`` (the sets the app's enrichment tests: source, name, gene).
"""
from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from pipeline.embedding import Embedding
from pipeline.errors import InputError

FORMAT = "gene2vec-dash bundle"
VERSION = 2                       # 2: tissue columns per atlas, Ensembl id and GENCODE type
GENE_COLUMNS = ("symbol", "entrez", "ensembl", "type_of_gene", "gene_type", "display_class", "description",
                "x", "y")
TISSUE_PREFIX = "tissue:"
GGI_PAIRS = "ggi_pairs.parquet"   # the degree-matched GO pairs the pair model was trained and tested on
GENE_SETS = "gene_sets.parquet"   # source, name, gene: what the app's enrichment tests a gene list against


def tissue_column(atlas: str, tissue: str) -> str:
    return f"{TISSUE_PREFIX}{atlas}:{tissue}"
PACKAGES = ("numpy", "pandas", "scipy", "gensim", "scikit-learn", "torch", "openTSNE", "pyarrow")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def check_out(out: Path) -> None:
    """Refuse, before any work, to replace a folder that is not a bundle."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())):
        raise InputError("exists and is not a bundle: refusing to overwrite it", out)


def write_bundle(out: Path, manifest: dict, genes: pd.DataFrame, embedding: Embedding | None,
                 extra: Callable[[Path], None] | None = None) -> Path:
    """Write into a temporary folder beside ``out``, then swap it in: a reader never sees half
    a bundle, and an interrupted write leaves ``out`` as it was. ``embedding`` None: ``extra``
    copies the embedding's files (already written by the build)."""
    out = Path(out)
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*"):     # left by a run that was killed
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        if embedding is not None:
            embedding.save(tmp)
        genes.to_parquet(tmp / "genes.parquet", index=False)
        if extra is not None:
            extra(tmp)
        if list(genes["symbol"]) != list(Embedding.load(tmp).genes):
            raise InputError("genes table and embedding are not in the same order")
        full = {"format": FORMAT, "version": VERSION,
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "packages": package_versions(), **manifest}
        (tmp / "manifest.json").write_text(json.dumps(full, indent=1, default=_json_default) + "\n")
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_in(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def _json_default(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.ndarray, tuple, set)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict
    genes: pd.DataFrame
    vectors: np.ndarray

    @property
    def atlases(self) -> dict[str, list[str]]:
        """Tissues of each atlas, in column order (the first atlas is the default colouring)."""
        out: dict[str, list[str]] = {}
        for column in self.genes.columns:
            if column.startswith(TISSUE_PREFIX):
                atlas, _, tissue = column[len(TISSUE_PREFIX):].partition(":")
                out.setdefault(atlas, []).append(tissue)
        return out

    def gene_sets(self) -> pd.DataFrame:
        """source, name, gene rows (empty when the bundle has none)."""
        path = self.path / GENE_SETS
        if not path.is_file():
            return pd.DataFrame(columns=["source", "name", "gene"])
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise InputError(f"{GENE_SETS} is unreadable ({exc.__class__.__name__})", self.path) from None

    @property
    def pair_model_path(self) -> Path | None:
        p = self.path / "pairs.pt"
        return p if p.exists() else None


def read_bundle(path: str | Path) -> Bundle:
    """Load and validate; every problem is an :class:`InputError` saying what is wrong."""
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise InputError("not a bundle (no manifest.json)", path)
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"manifest.json is not valid JSON ({exc})", path) from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"manifest.json format is {manifest.get('format')!r}, expected {FORMAT!r}", path)
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise InputError(f"bundle format version {version} is newer than this program reads ({VERSION}): "
                         "update gene2vec-dash or rebuild the bundle", path)
    if version < VERSION:
        raise InputError(f"bundle format version {version} is older than this program reads ({VERSION}): "
                         "rebuild it (python -m pipeline build ...)", path)
    for name in ("genes.parquet", "embedding.npy", "embedding.genes.txt"):
        if not (path / name).is_file():
            raise InputError(f"bundle is missing {name}", path)
    try:
        genes = pd.read_parquet(path / "genes.parquet")
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(f"genes.parquet is unreadable ({exc.__class__.__name__})", path) from None
    missing = [c for c in GENE_COLUMNS if c not in genes.columns]
    if missing:
        raise InputError(f"genes.parquet lacks columns {missing}", path)
    embedding = Embedding.load(path)
    if len(genes) != len(embedding.genes) or (genes["symbol"].to_numpy() != embedding.genes).any():
        raise InputError("genes.parquet and the embedding list different genes", path)
    return Bundle(path, manifest, genes, embedding.vectors)
