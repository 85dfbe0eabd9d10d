"""What a bundle's manifest may hold, checked once when it is opened: how deeply it nests, and the
type of every part the app and the exports read (the About tab, the comparison table, the atlases).
A manifest that passes cannot raise when a page is built from it.

``SHAPE`` mirrors the manifest: a dict spec is a JSON object whose listed keys, where present, have
that shape ("*" for any other key; :class:`Need` for a key that must be there), ``[spec]`` a list of
such items, and a leaf one of the kinds below.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError

MAX_DEPTH = 16              # the deepest a real manifest nests is 6 (metrics -> pairs -> ... -> reliability)


class Need:
    """A key that must be present (the app reads it without a default)."""

    def __init__(self, spec: object):
        self.spec = spec


# leaves: (the types allowed, what they are called in a message)
WHOLE = ((int,), "a whole number")
NUMBER = ((int, float, type(None)), "a number")          # a figure: None (not measured) is shown as "–"
TEXT = ((str,), "text")
MAYBE_TEXT = ((str, type(None)), "text")
OBJECT = ((dict,), "a JSON object")
LIST = ((list,), "a JSON list")
ANY = ((object,), "anything")

_EMBEDDING = {**{k: Need(WHOLE) for k in ("dims", "epochs", "window", "min_count", "seed")}, "method": TEXT}
SHAPE = {
    "created": TEXT,
    "config": {"preset": MAYBE_TEXT, "coexpression": {"threshold": NUMBER, "top_k": NUMBER}, "embedding": _EMBEDDING,
               "*": ANY},
    "counts": {"*": NUMBER},
    "timings": OBJECT,
    "inputs": [{"name": Need(TEXT), "samples": Need(WHOLE), "genes": Need(WHOLE), "pairs": Need(WHOLE)}],
    "extra_pairs": [{"name": Need(TEXT), "pairs": Need(WHOLE)}],
    "datasets_skipped": [OBJECT],
    "annotations": {"atlases": [{"key": Need(TEXT), "name": TEXT, "unit": TEXT, "z_limit": NUMBER}], "*": ANY},
    "metrics": {
        "clusteredness": {"cosine": {"*": NUMBER}, "coexpression": {"pair_auc": NUMBER}, "*": ANY},
        "neighbours": {"*": {"k": Need(WHOLE), "embedding": Need({"precision": NUMBER, "random": NUMBER, "*": ANY}),
                             "coexpression": {"precision": NUMBER, "*": ANY}, "*": ANY}},
        "without_postprocessing": {"neighbours": {"*": {"precision": NUMBER, "*": ANY}}, "*": ANY},
        "pairs": {"pair_model": Need({"auc": NUMBER, "calibration": {"ece": NUMBER, "ece_before": NUMBER, "*": ANY},
                                      "*": ANY}),
                  "additive": {"auc": NUMBER, "*": ANY}, "cosine": {"auc": NUMBER, "*": ANY}, "*": ANY},
        "support": {"*": {"*": {"genes": Need(WHOLE), "cone": Need(NUMBER), "precision": NUMBER, "random": NUMBER,
                                "*": ANY}}},
        "tissue_patterns": {"*": {"*": {"map_ratio": NUMBER, "specific_genes": WHOLE, "*": ANY}}},
        "layout": {"neighbourhood_preservation_10nn": NUMBER, "*": ANY},
        "*": OBJECT,
    },
    "*": ANY,
}


def check_manifest(manifest: dict, path: Path) -> None:
    """InputError naming ``path`` and the first part of ``manifest`` that is nested too deeply or
    not of the shape the app reads."""
    depth = _depth(manifest)
    if depth > MAX_DEPTH:
        raise InputError(f"nested {depth} levels deep (at most {MAX_DEPTH})", path)
    _check(manifest, SHAPE, "", path)
    _check_cross(manifest, path)


def _depth(value: object) -> int:
    """How deeply ``value`` nests (iterative: a manifest nested 100,000 levels is no RecursionError)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _check(value: object, spec: object, where: str, path: Path) -> None:
    if isinstance(spec, dict):
        _is(value, OBJECT, where, path)
        for key, item in value.items():
            inner = spec.get(key, spec.get("*", ANY))
            _check(item, inner.spec if isinstance(inner, Need) else inner, f"{where}.{key}" if where else key, path)
        missing = [k for k, s in spec.items() if isinstance(s, Need) and k not in value]
        if missing:
            raise InputError(f"{_name(where)} lacks {_name(missing[0])}", path)
    elif isinstance(spec, list):
        _is(value, LIST, where, path)
        for k, item in enumerate(value):
            _check(item, spec[0], f"{where}[{k}]", path)
    else:
        _is(value, spec, where, path)


def _is(value: object, kind: tuple, where: str, path: Path) -> None:
    types, words = kind
    if not isinstance(value, types) or (isinstance(value, bool) and object not in types):
        raise InputError(f"{_name(where)} is {_kind(value)}, not {words}", path)


def _check_cross(manifest: dict, path: Path) -> None:
    """Support figures are a table: every gene-set file must report the first one's tiers."""
    support = manifest.get("metrics", {}).get("support", {})
    tiers = [set(report) for report in support.values()]
    for name, report in support.items():
        if set(report) != tiers[0]:
            raise InputError(f"{_name('metrics.support.' + name)} reports other support tiers than the first "
                             "gene-set file", path)


def _name(where: str) -> str:
    return repr(where[:80])


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a number", str: "text", list: "a JSON list",
             dict: "a JSON object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
