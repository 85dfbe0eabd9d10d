"""Gene lists on the map: reading a pasted list, testing it for enrichment against the bundle's gene
sets. Arrays in, tables out; no Dash here.

Enrichment is the one-sided Fisher exact test (the hypergeometric upper tail) of every set at once,
with the map's genes as the background, as the paper tested the islands of its map: the overlaps of
all sets are one sparse matrix-vector product, the p-values one vectorised ``hypergeom.sf`` call,
and the Benjamini-Hochberg FDR scipy's ``false_discovery_control`` over every set tested.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

MAX_LIST = 5000                         # names read from one pasted list
SEPARATOR = r"\s,;|/"                    # what may separate the names of a pasted list (a regex class's inside)
SEPARATORS = re.compile(f"[{SEPARATOR}]+")
MAX_QUERY_CHARS, MAX_QUERY_WORDS = 300, 30      # what a gene-set search reads of the text typed
SET_ID = re.compile(r"[A-Za-z]+(?:[:\-][A-Za-z]+)*[:\-]?\d{2,}")   # GO:0015671, WP179, R-HSA-69278


@dataclass(frozen=True)
class ListReading:
    """What a pasted list named: the map rows found (input order, no repeats), how each name was
    read where it was not the official symbol, and the names not on the map."""

    rows: np.ndarray
    renamed: list[tuple[str, str]]      # (as typed, official symbol) where an alias or Entrez id was read
    unknown: list[str]
    truncated: bool


def read_gene_list(text: str | None, alias: dict[str, str], entrez: dict[str, str], row: dict[str, int]
                   ) -> ListReading:
    """Symbols, aliases (any case) or Entrez ids, separated by anything (spaces, commas, new lines,
    tabs, semicolons). Unknown names are reported, never an error."""
    names = [n for n in SEPARATORS.split(text or "") if n]
    truncated = len(names) > MAX_LIST
    rows: dict[int, None] = {}
    renamed, unknown = [], []
    for name in dict.fromkeys(names[:MAX_LIST]):
        symbol = alias.get(name.upper()) or entrez.get(name)
        if symbol is None:
            unknown.append(name)
            continue
        if symbol.upper() != name.upper():
            renamed.append((name, symbol))
        rows.setdefault(row[symbol])
    return ListReading(np.fromiter(rows, dtype=np.int64, count=len(rows)), renamed, unknown, truncated)


@dataclass(frozen=True)
class GeneSets:
    """The bundle's gene sets as a sparse sets x genes membership matrix over the map's rows."""

    source: np.ndarray
    name: np.ndarray
    members: sparse.csr_matrix
    sizes: np.ndarray
    index: "NameIndex"                  # the words of every set's name: what a type-ahead search looks in

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, row: dict[str, int]) -> "GeneSets":
        """``frame``: one row per (source, name, gene), as the bundle's ``gene_sets.parquet``."""
        frame = frame[frame["gene"].isin(row.keys())]
        keys = frame["source"].astype(str) + "\x00" + frame["name"].astype(str)
        codes, uniques = pd.factorize(keys, sort=True)
        cols = frame["gene"].map(row).to_numpy(dtype=np.int64)
        members = sparse.csr_matrix((np.ones(len(cols), dtype=np.float32), (codes, cols)),
                                    shape=(len(uniques), len(row)))
        members.sum_duplicates()
        members.data[:] = 1.0
        source, name = (np.array(part, dtype=object) for part in zip(*(u.split("\x00", 1) for u in uniques))) \
            if len(uniques) else (np.array([], dtype=object), np.array([], dtype=object))
        return cls(source, name, members, np.asarray(members.sum(axis=1)).ravel().astype(np.int64),
                   NameIndex.build(source, name))

    def __len__(self) -> int:
        return len(self.name)

    def index_of(self, name: str | None) -> int | None:
        """The set named ``name`` (exactly, the first source that has it); None if none is."""
        found = np.flatnonzero(self.name == name) if name else []
        return int(found[0]) if len(found) else None

    def rows_of(self, k: int) -> np.ndarray:
        return self.members.indices[self.members.indptr[k]:self.members.indptr[k + 1]]

    def find(self, text: str | None, limit: int = 30) -> list[int]:
        """Sets whose "source name" contains every word typed (any case): a set named exactly what was
        typed first (with or without its id: "oxygen transport" finds "GO:0015671 oxygen transport"),
        then names that begin with it, then the names of fewest words ("cell cycle" before "positive
        regulation of cell cycle arrest"), the smallest set first among equals. Bounded whatever is
        typed: the first MAX_QUERY_CHARS characters and MAX_QUERY_WORDS distinct words are read."""
        query = " ".join((text or "")[:MAX_QUERY_CHARS].lower().split())
        if not query:
            return []
        hit = self.index.containing(list(dict.fromkeys(query.split()))[:MAX_QUERY_WORDS])
        exact = np.isin(hit, self.index.exact.get(query, []))
        bare = [_bare(str(n)) for n in self.name[hit]]
        begins = np.array([b.startswith(query) for b in bare], dtype=bool)
        words = np.array([len(b.split()) for b in bare], dtype=np.int64)
        ranked = hit[np.lexsort((self.sizes[hit], words, ~begins, ~exact))]
        return ranked[:limit].tolist()


@dataclass(frozen=True)
class NameIndex:
    """Every distinct word of the sets' "source name" labels and the sets each is in, built once at
    load: a search scans the distinct words once per word typed (not every label), so its cost is
    bounded by the vocabulary, not by the text typed."""

    words: np.ndarray                   # distinct lower-case words, as a numpy str array (np.char.find)
    sets: sparse.csr_matrix             # sets x words, 1 where the set's label holds the word
    exact: dict[str, list[int]]         # a whole name, lower case, with and without its id -> sets

    @classmethod
    def build(cls, source: np.ndarray, name: np.ndarray) -> "NameIndex":
        labels = [f"{s} {n}".lower().split() for s, n in zip(source, name)]
        words, codes = np.unique(np.array([w for label in labels for w in label], dtype=str), return_inverse=True)
        owner = np.repeat(np.arange(len(labels)), [len(label) for label in labels])
        sets = sparse.csr_matrix((np.ones(len(owner), dtype=np.float32), (owner, codes.ravel())),
                                 shape=(len(labels), len(words)))
        exact: dict[str, list[int]] = {}
        for k, n in enumerate(name):
            for key in _name_keys(str(n)):
                exact.setdefault(key, []).append(k)
        return cls(words, sets, exact)

    def containing(self, words: list[str]) -> np.ndarray:
        """The sets (ascending) whose label holds each of ``words`` inside one of its words (a word
        typed has no space, so this is "the label contains it"): per word, one scan of the distinct
        words and one sparse product."""
        hit = np.ones(self.sets.shape[0], dtype=bool)
        for w in words:
            hit &= self.sets @ (np.char.find(self.words, w) >= 0).astype(np.float32) > 0
            if not hit.any():
                break
        return np.flatnonzero(hit)


def _bare(name: str) -> str:
    """A set's name in lower case without a leading or trailing id, underscores as spaces."""
    words = name.lower().replace("_", " ").split()
    if len(words) > 1 and SET_ID.fullmatch(words[0]):
        words = words[1:]
    if len(words) > 1 and SET_ID.fullmatch(words[-1]):
        words = words[:-1]
    return " ".join(words)


def _name_keys(name: str) -> set[str]:
    """A set's name as someone might type it whole: as is, and without a leading or trailing id."""
    words = name.lower().split()
    keys = {" ".join(words)}
    if len(words) > 1 and SET_ID.fullmatch(words[0]):
        keys.add(" ".join(words[1:]))
    if len(words) > 1 and SET_ID.fullmatch(words[-1]):
        keys.add(" ".join(words[:-1]))
    return keys


def enrichment(sets: GeneSets, rows: np.ndarray, symbols: np.ndarray, top: int = 50,
               min_overlap: int = 2) -> pd.DataFrame:
    """Over-representation of the genes ``rows`` in every set, the map's genes as the background.

    p: P(X >= overlap), X ~ hypergeometric(N map genes, K in the set, n in the list), which is the
    one-sided Fisher exact test; FDR: Benjamini-Hochberg over all sets. Rows with at least
    ``min_overlap`` genes, the ``top`` smallest p first, each with its overlap genes."""
    # 0.7 s of imports: made when the sets load, in the background (gene2vec_dash.queries)
    from scipy.stats import false_discovery_control, hypergeom

    columns = ["source", "gene set", "overlap", "set size", "expected", "fold", "p", "FDR", "genes"]
    n_genes = sets.members.shape[1]
    if len(sets) == 0 or len(rows) == 0:
        return pd.DataFrame(columns=columns)
    hit = np.zeros(n_genes, dtype=np.float32)
    hit[rows] = 1.0
    overlap = np.rint(sets.members @ hit).astype(np.int64)
    n = int(hit.sum())
    p = np.ones(len(sets))                              # no overlap: P(X >= 0) = 1
    todo = np.flatnonzero(overlap > 0)
    # p depends only on (set size, overlap) for one list: each distinct pair once (scipy's
    # hypergeometric costs ~35 us a call; 10,000 sets share a few thousand pairs)
    pairs, inverse = np.unique(np.stack([sets.sizes[todo], overlap[todo]]), axis=1, return_inverse=True)
    p[todo] = hypergeom.sf(pairs[1] - 1, n_genes, pairs[0], n)[inverse.ravel()]
    fdr = false_discovery_control(p)
    shown = np.flatnonzero(overlap >= min_overlap)
    shown = shown[np.lexsort((-overlap[shown], p[shown]))][:top]
    expected = n * sets.sizes[shown] / n_genes
    listed = hit.astype(bool)
    genes = [", ".join(symbols[r[listed[r]]]) for r in (sets.rows_of(k) for k in shown)]
    return pd.DataFrame({"source": sets.source[shown], "gene set": sets.name[shown], "overlap": overlap[shown],
                         "set size": sets.sizes[shown], "expected": np.round(expected, 2),
                         "fold": np.round(overlap[shown] / expected, 1), "p": p[shown], "FDR": fdr[shown],
                         "genes": genes}, columns=columns)

