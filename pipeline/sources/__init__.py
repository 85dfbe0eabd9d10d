"""Readers of outside data; each raises :class:`pipeline.errors.InputError` for bad input."""
from __future__ import annotations

from pathlib import Path

from pipeline.errors import InputError
from pipeline.sources.expression import ExpressionSet, is_table, read_expression_table


def read_expression_sets(path: str | Path, platform: str = "") -> list[ExpressionSet]:
    """Any supported expression file -> its data sets (a SOFT family file may hold several
    platforms; ``platform`` keeps one of them)."""
    from pipeline.sources import geo

    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", path)
    if geo.is_soft(path):
        return geo.read_soft(path, platform)
    if geo.is_series_matrix(path):
        return geo.read_series_matrix(path, platform)
    if is_table(path):
        return [read_expression_table(path)]
    raise InputError("unknown file type: expected a GEO SOFT file (.soft[.gz]), a series matrix "
                     "(_series_matrix.txt[.gz]) or a table "
                     "(.tsv, .csv, .txt, .parquet, optionally .gz)", path)
