"""Whether two bundles hold the same results (``python -m pipeline check A B``).

Two builds of the same inputs and seed are not byte for byte the same: the manifest and the model
files record when and how fast each ran (``ggipnn.pt``'s training seconds). So files are compared
by what they hold: arrays and tables by value (NaN equal to NaN), model files by their tensors and
settings, the manifest without its run records (:data:`RUN_RECORDS`), anything else byte for byte.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import InputError

RUN_RECORDS = frozenset({"created", "timings", "seconds", "cached"})   # keys that say how a run went, not what


def differences(a: Path, b: Path, limit: int = 20) -> list[str]:
    """What differs between bundle folders ``a`` and ``b`` (empty: the same results), at most
    ``limit`` lines; each bundle is validated first."""
    from pipeline.bundle import read_bundle

    read_bundle(a), read_bundle(b)
    names = sorted({p.name for p in Path(a).iterdir()} | {p.name for p in Path(b).iterdir()})
    out: list[str] = []
    for name in names:
        if not (a / name).is_file() or not (b / name).is_file():
            out.append(f"{name}: only in {a if (a / name).is_file() else b}")
            continue
        out += [f"{name}: {d}" for d in _file_differences(a / name, b / name)]
    return out[:limit]


def _file_differences(a: Path, b: Path) -> list[str]:
    if a.read_bytes() == b.read_bytes():
        return []
    if a.suffix == ".json":
        import json

        return _tree(_without_run_records(json.loads(a.read_text())), _without_run_records(json.loads(b.read_text())))
    if a.suffix == ".npy":
        from pipeline.npy import load_npy

        return [] if _same_array(load_npy(a), load_npy(b)) else ["the arrays differ"]
    if a.suffix == ".parquet":
        import pandas as pd

        x, y = pd.read_parquet(a), pd.read_parquet(b)
        return [] if x.equals(y) else ["the tables differ"]
    if a.suffix == ".pt":
        return _tree(_without_run_records(_torch_load(a)), _without_run_records(_torch_load(b)))
    return ["the bytes differ"]


def _torch_load(path: Path) -> object:
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for damaged files
        raise InputError(f"not a model file ({exc.__class__.__name__})", path) from None


def _without_run_records(tree: object) -> object:
    if isinstance(tree, dict):
        return {k: _without_run_records(v) for k, v in tree.items() if k not in RUN_RECORDS}
    if isinstance(tree, list):
        return [_without_run_records(v) for v in tree]
    return tree


def _tree(x: object, y: object, where: str = "") -> list[str]:
    """Where two loaded trees (JSON, a model file's dict of tensors) differ."""
    if isinstance(x, dict) and isinstance(y, dict):
        out = [f"{where}{k}: only in one" for k in sorted(set(x) ^ set(y), key=str)]
        for k in x.keys() & y.keys():
            out += _tree(x[k], y[k], f"{where}{k}.")
        return out
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return [d for k, (u, v) in enumerate(zip(x, y)) for d in _tree(u, v, f"{where}{k}.")]
    if hasattr(x, "numpy") and hasattr(y, "numpy"):                 # tensors
        return [] if _same_array(x.numpy(), y.numpy()) else [f"{where.rstrip('.')}: the weights differ"]
    same = x == y or (isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y))
    return [] if same else [f"{where.rstrip('.')}: {str(x)[:40]} vs {str(y)[:40]}"]


def _same_array(x: np.ndarray, y: np.ndarray) -> bool:
    return x.shape == y.shape and x.dtype == y.dtype and bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))
