"""Pull numeric matrices and named string columns out of R data files (``.rda``/``.RData``) without R.

Bioconductor objects (ExpressionSet, SummarizedExperiment, GRanges) keep their data inside
environments, promises and S4 slots that :func:`rdata.read_rda` cannot convert, so we walk the
parsed object graph: every numeric array that carries a 2-d ``dim`` and its ``dimnames`` is a
matrix; a named list of character vectors is a table's columns.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def matrices(path: str | Path, name: str | None = None) -> list[pd.DataFrame]:
    """All 2-d numeric matrices in an R data file (or in its object ``name`` alone: a file may hold
    several data sets), largest first, with row/column names."""
    from rdata.parser import RObjectType as T

    found: list[pd.DataFrame] = []
    for obj in _objects(path, name):
        if obj.info.type in (T.REAL, T.INT) and obj.attributes is not None:
            attrs = _attributes(obj, T)
            dim = attrs.get("dim")
            if dim is not None and len(dim.value) == 2:
                found.append(_frame(obj, attrs, T))
    return sorted(found, key=lambda f: -f.size)


def string_columns(path: str | Path, columns: list[str]) -> pd.DataFrame:
    """The first named list in an R data file that holds every one of ``columns`` as a character
    vector (the ``listData`` of a Bioconductor DataFrame, say the ``mcols`` of a GRanges)."""
    from rdata.parser import RObjectType as T

    for obj in _objects(path):
        if obj.info.type != T.VEC or obj.attributes is None:
            continue
        names = _strings(_attributes(obj, T).get("names"), T) or []
        if set(columns) <= set(names):
            values = {name: _strings(obj.value[names.index(name)], T) for name in columns}
            if all(v is not None for v in values.values()):
                return pd.DataFrame(values)
    raise ValueError(f"{path}: no list with character columns {columns}")


def _objects(path: str | Path, name: str | None = None):
    """Every object of the parsed file's graph (or of its top-level object ``name``), each once (depth first)."""
    import rdata

    seen: set[int] = set()
    top = rdata.parser.parse_file(Path(path)).object
    stack = [top if name is None else _named(top, name, path)]
    while stack:
        obj = stack.pop()
        if obj is None or not hasattr(obj, "info") or id(obj) in seen:
            continue
        seen.add(id(obj))
        yield obj
        value = obj.value
        children = value if isinstance(value, (list, tuple)) else (
            list(vars(value).values()) if hasattr(value, "__dict__") else [])
        stack.extend(c for c in children if hasattr(c, "info"))
        stack.extend(c for c in (obj.attributes, obj.tag) if c is not None)


def _named(top, name: str, path: str | Path):
    """The object a file saves under ``name`` (its top level is a pairlist of name -> object)."""
    from rdata.parser import RObjectType as T

    node, names = top, []
    while node is not None and node.info.type == T.LIST:
        names.append(_symbol(node.tag, T))
        if names[-1] == name:
            return node.value[0]
        node = node.value[1] if len(node.value) > 1 else None
    raise ValueError(f"{path}: no object {name!r} (it has {', '.join(map(str, names))})")


def _symbol(tag, T) -> str | None:
    """A pairlist tag's name; a symbol met before is stored as a reference to it."""
    if tag is not None and tag.info.type == T.REF:
        tag = tag.referenced_object
    if tag is None or tag.info.type != T.SYM:
        return None
    name = tag.value.value
    return name.decode() if isinstance(name, bytes) else name


def _attributes(obj, T) -> dict:
    out = {}
    node = obj.attributes
    while node is not None and node.info.type == T.LIST:
        name = _symbol(node.tag, T)
        if name is not None:
            out[name] = node.value[0]
        node = node.value[1] if len(node.value) > 1 else None
    return out


def _strings(obj, T) -> list[str] | None:
    if obj is None or obj.info.type != T.STR:
        return None
    return [c.value.decode() if isinstance(c.value, bytes) else ("" if c.value is None else str(c.value))
            for c in obj.value]


def _frame(obj, attrs: dict, T) -> pd.DataFrame:
    nrow, ncol = (int(v) for v in attrs["dim"].value)
    data = np.asarray(obj.value).reshape((nrow, ncol), order="F")  # R is column-major
    rows = cols = None
    dimnames = attrs.get("dimnames")
    if dimnames is not None and dimnames.info.type == T.VEC and len(dimnames.value) == 2:
        rows, cols = (_strings(d, T) for d in dimnames.value)
    return pd.DataFrame(data, index=rows, columns=cols)
