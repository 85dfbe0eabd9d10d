"""Gene-gene interaction labels from GO Biological Process, with a gene-disjoint split.

Positives share a specific BP term supported by experimental evidence (not the four generic
signalling / phosphorylation terms, nor terms within 3 levels of the root). Negatives share no
term and neither has a term below one of the other's. Genes, not pairs, are split 7:1:2, so a
test pair never contains a gene seen in training (the paper's protocol).
"""
from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
from scipy import sparse

from pipeline.config import GGIConfig
from pipeline.errors import InputError
from pipeline.sources.go import PROPAGATING, ROOT, GeneOntology

SPLITS = ("train", "valid", "test")


def term_levels(dag: pd.DataFrame, root: str = ROOT) -> dict[str, int]:
    """Shortest number of is_a / part_of steps from the root (goatools' "level")."""
    edges = dag[dag["relationship"].isin(PROPAGATING)]
    children: dict[str, list[str]] = {}
    for child, parent in zip(edges["child"], edges["parent"]):
        children.setdefault(parent, []).append(child)
    level = {root: 0}
    queue = deque([root])
    while queue:
        term = queue.popleft()
        for child in children.get(term, ()):
            if child not in level:
                level[child] = level[term] + 1
                queue.append(child)
    return level


def ancestor_matrix(dag: pd.DataFrame, terms: list[str]) -> sparse.csr_matrix:
    """Boolean terms x terms matrix: row t marks t and every ancestor of t (is_a / part_of)."""
    index = {t: k for k, t in enumerate(terms)}
    edges = dag[dag["relationship"].isin(PROPAGATING) & dag["child"].isin(index) & dag["parent"].isin(index)]
    n = len(terms)
    step = sparse.csr_matrix((np.ones(len(edges), dtype=bool),
                              (edges["child"].map(index).to_numpy(), edges["parent"].map(index).to_numpy())),
                             shape=(n, n))
    closure = sparse.identity(n, dtype=bool, format="csr")
    frontier = closure
    while frontier.nnz:
        reached = (frontier @ step).astype(bool)
        frontier = (reached > closure).astype(bool)        # newly reached only
        closure = (closure + frontier).astype(bool)
    return closure.tocsr()


def split_genes(genes: np.ndarray, fractions: tuple[float, float, float], seed: int) -> dict[str, np.ndarray]:
    """Genes shuffled with the seed and cut 7:1:2 (or ``fractions``)."""
    if len(fractions) != 3 or any(f < 0 for f in fractions) or not np.isclose(sum(fractions), 1.0):
        raise InputError(f"split fractions must be three non-negative numbers summing to 1, got {fractions}")
    order = np.random.default_rng(seed).permutation(np.sort(genes))
    cuts = np.round(np.cumsum(fractions)[:2] * len(order)).astype(int)
    return dict(zip(SPLITS, np.split(order, cuts)))


def positive_pairs(gene_terms: pd.DataFrame, n_genes: int, max_term_genes: int = 0) -> np.ndarray:
    """Unique (a, b), a < b, of gene indices sharing a term; ``gene_terms`` has columns gene, term."""
    codes = []
    for members in gene_terms.groupby("term")["gene"]:
        g = np.unique(members[1].to_numpy())
        if len(g) < 2 or (max_term_genes and len(g) > max_term_genes):
            continue
        a, b = np.triu_indices(len(g), k=1)
        codes.append(g[a].astype(np.int64) * n_genes + g[b])
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    unique = np.unique(np.concatenate(codes))
    return np.column_stack(np.divmod(unique, n_genes))


def labelled_pairs(go: GeneOntology, config: GGIConfig = GGIConfig()) -> dict[str, pd.DataFrame]:
    """``{"train"|"valid"|"test": DataFrame(gene_a, gene_b, label)}``, balanced and shuffled."""
    ann = go.annotations[go.annotations["evidence"].isin(config.evidence) & (go.annotations["go_id"] != ROOT)]
    level = term_levels(go.dag)
    ann = ann[ann["go_id"].isin(level)]
    if ann.empty:
        raise InputError(f"no BP annotation with evidence {list(config.evidence)}")
    genes = np.sort(ann["symbol"].unique())
    gene_index = pd.Series(np.arange(len(genes)), index=genes)
    terms = sorted(set(ann["go_id"]) | set(go.dag["parent"]) | set(go.dag["child"]))
    term_index = pd.Series(np.arange(len(terms)), index=terms)
    g = gene_index[ann["symbol"]].to_numpy()
    t = term_index[ann["go_id"]].to_numpy()
    annotated = sparse.csr_matrix((np.ones(len(g), dtype=bool), (g, t)), shape=(len(genes), len(terms)))
    upward = (annotated @ ancestor_matrix(go.dag, terms)).astype(bool).tocsr()

    specific = ann[~ann["go_id"].isin(config.excluded_terms)
                   & (ann["go_id"].map(level) > config.max_excluded_level)]
    pos = positive_pairs(pd.DataFrame({"gene": gene_index[specific["symbol"]].to_numpy(),
                                       "term": specific["go_id"].to_numpy()}),
                         len(genes), config.max_term_genes)
    rng = np.random.default_rng(config.seed)
    split_of = np.empty(len(genes), dtype=np.int8)
    for k, members in enumerate(split_genes(genes, config.split, config.seed).values()):
        split_of[gene_index[members].to_numpy()] = k
    out = {}
    for k, name in enumerate(SPLITS):
        inside = pos[(split_of[pos[:, 0]] == k) & (split_of[pos[:, 1]] == k)]
        if config.max_positive_pairs and len(inside) > config.max_positive_pairs * config.split[k]:
            keep = rng.choice(len(inside), int(config.max_positive_pairs * config.split[k]), replace=False)
            inside = inside[np.sort(keep)]
        members = np.flatnonzero(split_of == k)
        neg = _negatives(members, len(inside), annotated, upward, rng)
        pairs = np.vstack([inside, neg])
        labels = np.r_[np.ones(len(inside), np.int8), np.zeros(len(neg), np.int8)]
        order = rng.permutation(len(pairs))
        out[name] = pd.DataFrame({"gene_a": genes[pairs[order, 0]], "gene_b": genes[pairs[order, 1]],
                                  "label": labels[order]})
    return out


def _negatives(members: np.ndarray, n: int, annotated: sparse.csr_matrix, upward: sparse.csr_matrix,
               rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct random pairs of ``members`` that are unrelated in GO (rejection sampling).

    Related: a term of one gene is, or is an ancestor of, a term of the other."""
    if n == 0 or len(members) < 2:
        return np.empty((0, 2), dtype=np.int64)
    found: set[tuple[int, int]] = set()
    out = []
    for _ in range(100):
        m = 2 * (n - len(out)) + 64
        a = members[rng.integers(len(members), size=m)]
        b = members[rng.integers(len(members), size=m)]
        a, b = np.minimum(a, b), np.maximum(a, b)
        ok = a != b
        a, b = a[ok], b[ok]
        related = (np.asarray(annotated[b].multiply(upward[a]).sum(axis=1)).ravel() > 0) | \
                  (np.asarray(annotated[a].multiply(upward[b]).sum(axis=1)).ravel() > 0)
        for x, y in zip(a[~related].tolist(), b[~related].tolist()):
            if (x, y) not in found:
                found.add((x, y))
                out.append((x, y))
                if len(out) == n:
                    return np.array(out, dtype=np.int64)
    raise InputError(f"could not find {n} unrelated gene pairs among {len(members)} genes")
