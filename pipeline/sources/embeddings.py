"""Embedding files: word2vec text format (``N DIMS`` header, then ``GENE v1 v2 ...``), the paper's
released ``gene2vec_dim_200_iter_9.txt`` (``GENE<TAB>v1 v2 ...``, no header), or a bundle folder.

Every command that takes an embedding reads it here, so the vectors are checked once, before any
work: a file the map or cosine cannot use (:func:`pipeline.layout.unmappable`), or gene names
that a word2vec text file cannot hold, is refused with one line naming the file."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.layout import unmappable
from pipeline.sources.textfile import open_text


def read_embedding(path: str | Path) -> Embedding:
    """The vectors of a file or bundle folder, refused when the map or cosine cannot use them."""
    path = Path(path)
    if path.is_dir():
        from pipeline.bundle import read_bundle

        bundle = read_bundle(path)
        emb, path = Embedding(bundle.genes["symbol"].to_numpy(dtype=str), bundle.vectors), path / "embedding.npy"
    else:
        emb = _read_text(path)
    problem = unmappable(emb.vectors, emb.genes)
    if problem:
        raise InputError(problem, path)
    return emb


def _read_text(path: Path) -> Embedding:
    with open_text(path, "embedding file") as fh:
        lines = fh.read().splitlines()
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise InputError("file is empty", path)
    header = lines[0].split()
    expected = None
    if len(header) == 2 and all(h.isdigit() for h in header):
        expected = (int(header[0]), int(header[1]))
        lines = lines[1:]
    genes, rows = _parse(lines, path, first_line=2 if expected else 1)
    vectors = _to_matrix(rows, genes, path, first_line=2 if expected else 1)
    if expected and (len(genes), vectors.shape[1]) != expected:
        raise InputError(f"header says {expected[0]} genes x {expected[1]} dims but the file has "
                         f"{len(genes)} x {vectors.shape[1]} (truncated?)", path)
    seen: dict[str, int] = {}
    for k, g in enumerate(genes):
        if g in seen:
            raise InputError(f"gene {g!r} appears twice (lines {seen[g]} and {k + (2 if expected else 1)})", path)
        seen[g] = k + (2 if expected else 1)
    return Embedding(np.array(genes), vectors)


def _parse(lines: list[str], path: Path, first_line: int) -> tuple[list[str], list[str]]:
    genes, rows = [], []
    for k, line in enumerate(lines):
        if "\t" in line:
            gene, _, rest = line.partition("\t")
        else:
            gene, _, rest = line.strip().partition(" ")
        gene = gene.strip()
        if not gene:
            raise InputError(f"line {k + first_line} has no gene name", path)
        if " " in gene or not gene.isprintable():
            raise InputError(f"line {k + first_line}: gene name {gene!r} holds a space or control character, "
                             "which the word2vec text format cannot hold", path)
        if not rest.strip():
            raise InputError(f"line {k + first_line} has a gene but no numbers", path)
        genes.append(gene)
        rows.append(rest)
    return genes, rows


def _to_matrix(rows: list[str], genes: list[str], path: Path, first_line: int) -> np.ndarray:
    widths = np.fromiter((len(r.split()) for r in rows), dtype=np.int64, count=len(rows))
    if (widths != widths[0]).any():
        k = int(np.flatnonzero(widths != widths[0])[0])
        raise InputError(f"ragged rows: line {k + first_line} ({genes[k]}) has {widths[k]} values, "
                         f"line {first_line} has {widths[0]}", path)
    try:
        vectors = np.array(" ".join(rows).split(), dtype=np.float32).reshape(len(rows), widths[0])
    except ValueError:
        for k, r in enumerate(rows):
            try:
                np.array(r.split(), dtype=np.float32)
            except ValueError:
                raise InputError(f"non-numeric value on line {k + first_line} ({genes[k]})", path) from None
        raise
    return vectors
