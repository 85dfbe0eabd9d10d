"""Gene sets in GMT format: ``NAME<TAB>DESCRIPTION<TAB>GENE1<TAB>GENE2...`` one set a line."""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.sources.textfile import open_text


def read_gmt(path: str | Path) -> dict[str, list[str]]:
    """Sets by name; genes stripped of whitespace (the authors' code kept a trailing newline
    on the last gene of every line, silently dropping it from its set)."""
    sets: dict[str, list[str]] = {}
    with open_text(path, "gene set file") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) < 3:
                raise InputError(f"line {number} has {len(fields)} tab-separated fields; a GMT line "
                                 "needs a name, a description and at least one gene", path)
            genes = [g.strip() for g in fields[2:] if g.strip()]
            name = fields[0].strip()
            if name in sets:
                raise InputError(f"gene set {name!r} appears twice (line {number})", path)
            sets[name] = list(dict.fromkeys(genes))
    if not sets:
        raise InputError("no gene sets in file", path)
    return sets
