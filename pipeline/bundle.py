"""The bundle: the one folder the app reads. Written atomically, read with validation.

Layout: ``manifest.json`` (parameters, seeds, inputs, metrics, timings), ``genes.parquet``
(one row per embedded gene, row k <-> vector k; tissue z-scores in ``tissue:ATLAS:TISSUE``
columns), ``embedding.npy`` + ``embedding.genes.txt`` (fast copy) and ``embedding.w2v.txt``
(word2vec text format), optionally ``pairs.pt`` (the app's pair model) with ``ggi_pairs.parquet``
(its degree-matched GO pairs, split column), ``ggipnn.pt`` (the paper's GGIPNN, reproduced) and
``gene_sets.parquet`` (the sets the app's enrichment tests: source, name, gene), and
``evidence_profiles.npy`` + ``evidence_index.npz`` (per data set: the genes' unit profiles, means,
expressed; the ARCHS4 TF-list pairs: :mod:`pipeline.evidence`; a build without them still opens).
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
from pipeline.manifest import MAX_DEPTH, check_manifest
from pipeline.npy import load_npy
from pipeline.support import TIERS

FORMAT = "gene2vec-dash bundle"
VERSION = 2                       # 2: tissue columns per atlas, Ensembl id and GENCODE type
GENE_COLUMNS = ("symbol", "entrez", "ensembl", "type_of_gene", "gene_type", "display_class", "description",
                "x", "y")
TISSUE_PREFIX = "tissue:"
GGI_PAIRS = "ggi_pairs.parquet"   # the degree-matched GO pairs the pair model was trained and tested on
GENE_SETS = "gene_sets.parquet"   # source, name, gene: what the app's enrichment tests a gene list against
FUNCTIONS = "functions.parquet"   # each gene's best terms per library, out of fold (pipeline.function_table)


def tissue_column(atlas: str, tissue: str) -> str:
    return f"{TISSUE_PREFIX}{atlas}:{tissue}"


def atlas_columns(genes: pd.DataFrame) -> dict[str, list[str]]:
    """The tissue columns of a genes table, by atlas, in column order."""
    out: dict[str, list[str]] = {}
    for column in genes.columns:
        if column.startswith(TISSUE_PREFIX):
            out.setdefault(column[len(TISSUE_PREFIX):].partition(":")[0], []).append(column)
    return out


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
        return {atlas: [c[len(TISSUE_PREFIX):].partition(":")[2] for c in columns]
                for atlas, columns in atlas_columns(self.genes).items()}

    def gene_sets(self) -> pd.DataFrame:
        """source, name, gene rows (empty when the bundle has none)."""
        path = self.path / GENE_SETS
        if not path.is_file():
            return pd.DataFrame(columns=["source", "name", "gene"])
        frame = _parquet(path)
        missing = [c for c in ("source", "name", "gene") if c not in frame.columns]
        if missing:
            raise InputError(f"lacks columns {missing}", path)
        return frame.astype({"source": str, "name": str, "gene": str})

    @property
    def pair_model_path(self) -> Path | None:
        p = self.path / "pairs.pt"
        return p if p.exists() else None


def read_bundle(path: str | Path) -> Bundle:
    """Load and validate every file the app reads; every problem is one :class:`InputError`
    naming the file and what is wrong with it."""
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise InputError("not a bundle (no manifest.json)", path)
    manifest = read_manifest(path / "manifest.json")
    for name in ("genes.parquet", "embedding.npy", "embedding.genes.txt"):
        if not (path / name).is_file():
            raise InputError(f"bundle is missing {name}", path)
    genes = _gene_table(path / "genes.parquet")
    names = read_gene_names(path / "embedding.genes.txt")
    vectors = read_vectors(path / "embedding.npy", names)
    if len(genes) != len(names) or (genes["symbol"].to_numpy(dtype=str) != names).any():
        raise InputError(f"genes.parquet and embedding.genes.txt list different genes ({len(genes):,} and "
                         f"{len(names):,}), or the same in another order", path / "genes.parquet")
    return Bundle(path, manifest, genes, vectors)


def read_manifest(path: Path) -> dict:
    """manifest.json, checked: a JSON object of this format and version, nested and typed as the app
    reads it (:mod:`pipeline.manifest`), its atlases described by name."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc.__class__.__name__}: {str(exc)[:80]})", path) from None
    except RecursionError:
        raise InputError(f"nested too deeply (at most {MAX_DEPTH} levels)", path) from None
    if not isinstance(manifest, dict):
        raise InputError(f"is a JSON {type(manifest).__name__}, not an object", path)
    if manifest.get("format") != FORMAT:
        raise InputError(f"format is {str(manifest.get('format'))[:40]!r}, expected {FORMAT!r}", path)
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError(f"version {str(version)[:20]!r} is not a whole number", path)
    if version > VERSION:
        raise InputError(f"bundle format version {version} is newer than this program reads ({VERSION}): "
                         "update gene2vec-dash or rebuild the bundle", path)
    if version < VERSION:
        raise InputError(f"bundle format version {version} is older than this program reads ({VERSION}): "
                         "rebuild it (python -m pipeline build ...)", path)
    check_manifest(manifest, path)
    _check_atlases(manifest.get("annotations", {}).get("atlases", []), path)
    return manifest


def _check_atlases(atlases: object, path: Path) -> None:
    if not isinstance(atlases, list) or not all(isinstance(a, dict) and isinstance(a.get("key"), str)
                                                for a in atlases):
        raise InputError("annotations 'atlases' must be a list of objects with a 'key'", path)
    for a in atlases:
        limit = a.get("z_limit")
        if limit is not None and (not isinstance(limit, (int, float)) or not np.isfinite(limit) or limit <= 0):
            raise InputError(f"atlas {a['key'][:40]!r} has z_limit {str(limit)[:20]!r}, not a positive number", path)
        if not all(isinstance(a.get(k, ""), str) for k in ("name", "unit")):
            raise InputError(f"atlas {a['key'][:40]!r}: name and unit must be text", path)


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise InputError(f"unreadable ({exc.__class__.__name__})", path) from None


def _gene_table(path: Path) -> pd.DataFrame:
    """genes.parquet with every column the app reads, of the type it reads it as."""
    genes = _parquet(path)
    missing = [c for c in GENE_COLUMNS if c not in genes.columns]
    if missing:
        raise InputError(f"lacks columns {missing}", path)
    numeric = ["x", "y", *(c for c in genes.columns if c.startswith(TISSUE_PREFIX))]
    for column in numeric + [c for c in ("entrez", "contexts") if c in genes.columns]:
        if not pd.api.types.is_numeric_dtype(genes[column]):
            raise InputError(f"column {column!r} is {genes[column].dtype}, not numbers", path)
    if not np.isfinite(genes[["x", "y"]].to_numpy(dtype=float)).all():
        raise InputError("map positions x, y must be finite numbers", path)
    if "support" in genes.columns:
        tiers = [name for _, name, _ in TIERS] + ["unknown"]
        given = genes["support"].dropna()
        odd = given[~given.astype(str).isin(tiers)]
        if len(odd):
            raise InputError(f"column 'support' holds {str(odd.iloc[0])[:40]!r}, not a support tier "
                             f"({', '.join(tiers)})", path)
    return genes


def read_gene_names(path: Path) -> np.ndarray:
    try:
        names = path.read_bytes().decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from None
    names = np.array(names[:-1] if names and names[-1] == "" else names, dtype=str)
    unique, counts = np.unique(names, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"gene {str(unique[counts > 1][0])[:40]!r} is listed twice", path)
    return names


def read_vectors(path: Path, names: np.ndarray, names_file: str = "embedding.genes.txt") -> np.ndarray:
    """embedding.npy: a finite float matrix, one row per gene of ``names_file`` (no pickles)."""
    vectors = load_npy(path)
    if vectors.ndim != 2 or vectors.dtype.kind != "f" or vectors.shape[1] < 2:
        raise InputError(f"holds a {vectors.dtype} array of shape {vectors.shape}, not genes x dims floats", path)
    if len(vectors) != len(names):
        raise InputError(f"{len(vectors):,} vectors but {names_file} lists {len(names):,} genes", path)
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        raise InputError(f"{int(bad.sum())} vectors hold NaN or infinity (first: {names[bad][0]})", path)
    return vectors
