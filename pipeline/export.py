"""A bundle's embedding in the formats its users work in: AnnData (``.h5ad``, for scanpy and the
gene-embedding benchmarks), NumPy (``.npy`` with its gene order beside it, as scBERT loads
Gene2vec), word2vec text (gensim, the paper's tools) and Parquet (one row per gene: its
annotations, map position and vector). :mod:`pipeline.sources.embeddings` reads each back.

Each file is written beside its target under a temporary name and renamed into place, so an
interrupted export never leaves half a file where the user looks for it; a write that fails (a full
disk, a folder it may not write) is one line, and what it had written is removed (a killed run's is
removed by the next export to the same name).
"""
from __future__ import annotations

import json
import os
import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from pipeline.annotate import CLASS_COLOURS
from pipeline.bundle import TISSUE_PREFIX, Bundle
from pipeline.errors import InputError

FORMATS = {"h5ad": ".h5ad", "npy": ".npy", "w2v": ".txt", "parquet": ".parquet"}
OBS_COLUMNS = ("entrez", "ensembl", "display_class", "gene_type", "type_of_gene", "description", "support",
               "contexts", "datasets")
DIM_PREFIX = "dim_"                # the vector's columns in the Parquet export: dim_0, dim_1, ...


def format_of(out: Path, fmt: str | None) -> str:
    """The format asked for, or the one the output's suffix names (``.txt`` / ``.w2v`` is word2vec)."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
        return fmt
    suffix = out.suffix.lower()
    found = {".w2v": "w2v", **{ext: name for name, ext in FORMATS.items()}}.get(suffix)
    if found is None:
        raise InputError(f"cannot tell the format from {suffix or 'no suffix'!r}: give --format "
                         f"({', '.join(FORMATS)})", out)
    return found


def genes_file(out: Path) -> Path:
    """The gene-order file beside an ``.npy`` export: ``vectors.npy`` -> ``vectors.genes.txt``."""
    return out.with_suffix(".genes.txt")


def obs_table(bundle: Bundle) -> pd.DataFrame:
    """One row per gene, indexed by symbol: identifiers, class, support and tissue z-scores."""
    g = bundle.genes
    columns = [c for c in OBS_COLUMNS if c in g.columns] + [c for c in g.columns if c.startswith(TISSUE_PREFIX)]
    obs = g[columns].rename(columns={"display_class": "class"})
    obs.index = pd.Index(g["symbol"].astype(str).to_numpy(), name="symbol")
    return obs


def flat(tree: dict, prefix: str = "") -> dict:
    """A nested manifest section as one level of ``a.b.c`` keys whose values h5ad can hold
    (numbers, text, booleans; lists as JSON text; None left out)."""
    out = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = json.dumps(value, default=str)
        elif value is not None:
            out[name] = value
    return out


@contextmanager
def _object_strings() -> Iterator[None]:
    """anndata 0.12.6, the newest that installs beside pandas 3, cannot write pandas 3's default
    ``str`` arrays: build and write the AnnData with text as plain Python objects."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # the option is deprecated in pandas 3, and still works
        with pd.option_context("future.infer_string", False):
            yield


def class_categories(classes: pd.Series) -> list[str]:
    """The classes present, in the app's legend order (then any other, sorted)."""
    present = set(classes.dropna().astype(str))
    return [c for c in CLASS_COLOURS if c in present] + sorted(present - set(CLASS_COLOURS))


def to_anndata(bundle: Bundle):
    """Genes as ``obs``, vectors as ``X``, the map as ``obsm["X_tsne"]`` (scanpy's
    ``basis="tsne"``), the build's parameters and figures in ``uns`` (flat, and the whole
    manifest as JSON text)."""
    import anndata

    with _object_strings():
        obs = obs_table(bundle)
        obs = obs.astype({c: object for c in obs.columns if not pd.api.types.is_numeric_dtype(obs[c])})
        obs.index = pd.Index(obs.index.to_numpy(dtype=object), name="symbol")
        dims = bundle.vectors.shape[1]
        var = pd.DataFrame(index=pd.Index([f"{DIM_PREFIX}{k}" for k in range(dims)], dtype=object))
        m = bundle.manifest
        adata = anndata.AnnData(X=np.asarray(bundle.vectors, dtype=np.float32), obs=obs, var=var)
        adata.obsm["X_tsne"] = bundle.genes[["x", "y"]].to_numpy(dtype=np.float32)
        if "class" in obs.columns:                    # scanpy colours a category by uns["<key>_colors"]
            classes = class_categories(obs["class"])
            adata.obs["class"] = pd.Categorical(obs["class"].to_numpy(dtype=object), categories=classes)
            adata.uns["class_colors"] = np.array([CLASS_COLOURS.get(c, CLASS_COLOURS["other"]) for c in classes],
                                                 dtype=object)
        adata.uns["params"] = flat(m.get("config", {}))
        adata.uns["metrics"] = flat(m.get("metrics", {}))
        adata.uns["manifest"] = json.dumps(m, default=str)
    return adata


def keyed_vectors(genes: np.ndarray, vectors: np.ndarray):
    """gensim ``KeyedVectors`` (``most_similar``, ``save_word2vec_format``) of the vectors."""
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=vectors.shape[1])
    kv.add_vectors([str(g) for g in genes], np.asarray(vectors, dtype=np.float32))
    kv.allocate_vecattrs(["count"], [np.int64])      # falling counts: gensim writes our order, and says nothing
    kv.expandos["count"][:] = np.arange(len(genes), 0, -1)
    return kv


def parquet_table(bundle: Bundle) -> pd.DataFrame:
    """The gene table (annotations, map position, tissue z-scores) with the vector as dim_ columns."""
    vectors = pd.DataFrame(np.asarray(bundle.vectors, dtype=np.float32),
                           columns=[f"{DIM_PREFIX}{k}" for k in range(bundle.vectors.shape[1])])
    return pd.concat([bundle.genes.reset_index(drop=True), vectors], axis=1)


def export(bundle: Bundle, out: Path, fmt: str | None = None) -> list[Path]:
    """Write the bundle's embedding as ``fmt`` (default: from ``out``'s suffix); the files written."""
    out = Path(out)
    fmt = format_of(out, fmt)
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist", out)
    if out.is_dir():
        raise InputError("is a folder: give the file to write", out)
    genes = bundle.genes["symbol"].to_numpy(dtype=str)
    if fmt == "h5ad":
        adata = to_anndata(bundle)
        with _object_strings():
            return _atomic({out: _in_child(adata.write_h5ad)})
    if fmt == "npy":
        return _atomic({out: lambda p: _save_npy(p, bundle.vectors),
                        genes_file(out): lambda p: Path(p).write_text("\n".join(genes) + "\n")})
    if fmt == "w2v":
        return _atomic({out: lambda p: keyed_vectors(genes, bundle.vectors).save_word2vec_format(str(p))})
    return _atomic({out: lambda p: parquet_table(bundle).to_parquet(p, index=False)})


def _in_child(write: Callable[[Path], object]) -> Callable[[Path], None]:
    """``write`` run in a forked child, its stderr discarded: h5py segfaults after a failed write (a
    full disk) while it tidies up, and prints a traceback for each object it frees. The child's
    failure comes back here as an OSError with its reason."""
    def run(path: Path) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)

        def child() -> None:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            try:
                write(path)
            except BaseException as exc:
                send.send(_reason(exc))
                os._exit(1)
            os._exit(0)                                 # the file is closed: skip h5py's teardown

        process = context.Process(target=child)
        process.start()
        process.join()
        if process.exitcode != 0:
            raise OSError(receive.recv() if receive.poll() else f"the writer died (exit {process.exitcode})")
    return run


def _save_npy(path: Path, vectors: np.ndarray) -> None:
    with open(path, "wb") as fh:                    # a handle: np.save adds no ".npy" to the name
        np.save(fh, np.asarray(vectors, dtype=np.float32), allow_pickle=False)


def _reason(exc: Exception) -> str:
    """Why a write failed, short: the OS's words (h5py buries them in a long message)."""
    found = re.search(r"error message = '([^']*)'", str(exc))
    text = found.group(1) if found else getattr(exc, "strerror", None) or str(exc)
    return (text.splitlines() or [""])[0][:100] or exc.__class__.__name__


def _partial(out: Path, pid: int | str) -> Path:
    return out.with_name(f".{out.stem}.{pid}.partial{out.suffix}")


def _atomic(writes: dict[Path, Callable[[Path], object]]) -> list[Path]:
    """Each ``write(tmp)`` beside its file, then all renamed into place: nothing half-written is
    left, and a write that fails is one InputError naming the file (h5py reports a full disk as a
    RuntimeError, the others as OSError)."""
    tmps = {out: _partial(out, os.getpid()) for out in writes}
    try:
        for out, write in writes.items():
            for stale in out.parent.glob(_partial(out, "*").name):       # left by a killed export
                stale.unlink(missing_ok=True)
            try:
                write(tmps[out])
            except (OSError, RuntimeError) as exc:
                raise InputError(f"cannot write it ({_reason(exc)})", out) from None
        for out, tmp in tmps.items():
            tmp.replace(out)
    except BaseException:
        for tmp in tmps.values():
            tmp.unlink(missing_ok=True)
        raise
    return list(writes)
