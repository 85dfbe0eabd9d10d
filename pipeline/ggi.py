"""Gene-gene interaction labels from GO Biological Process, with a gene-disjoint split.

Positives share a specific BP term supported by experimental evidence (not the four generic
signalling / phosphorylation terms, nor terms within 3 levels of the root). Negatives share no
term and neither has a term below one of the other's. Genes, not pairs, are split 7:1:2, so a
test pair never contains a gene seen in training (the paper's protocol).

The paper drew negatives at random, so a gene annotated to many processes is in many positives
and few negatives: a model that only learns which genes are popular scores well. With
``negatives="degree"`` every gene is in as many negative pairs as positive ones, so only what a
pair has in common, not how popular its genes are, can tell the labels apart.
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


def term_gene_sets(go: GeneOntology, universe: np.ndarray, min_size: int = 5, max_size: int = 500
                   ) -> dict[str, list[str]]:
    """GO BP terms as gene sets for enrichment: every annotation (any evidence), propagated to the
    term's ancestors (is_a, part_of), restricted to ``universe``; terms with ``min_size``..
    ``max_size`` genes, named "GO:0000000 term name"."""
    ann = go.annotations[go.annotations["symbol"].isin(set(universe)) & (go.annotations["go_id"] != ROOT)]
    terms = sorted(set(ann["go_id"]) | set(go.dag["parent"]) | set(go.dag["child"]))
    genes = np.sort(ann["symbol"].unique())
    if not len(genes):
        return {}
    g = pd.Series(np.arange(len(genes)), index=genes)[ann["symbol"]].to_numpy()
    t = pd.Series(np.arange(len(terms)), index=terms)[ann["go_id"]].to_numpy()
    direct = sparse.csr_matrix((np.ones(len(g), dtype=bool), (g, t)), shape=(len(genes), len(terms)))
    members = (direct @ ancestor_matrix(go.dag, terms)).astype(bool).tocsc()
    sizes = np.diff(members.indptr)
    out = {}
    for k in np.flatnonzero((sizes >= min_size) & (sizes <= max_size)):
        term = terms[k]
        if term == ROOT:
            continue
        rows = members.indices[members.indptr[k]:members.indptr[k + 1]]
        out[f"{term} {go.names.get(term, '')}".strip()] = genes[rows].tolist()
    return out


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
        neg = (_matched_negatives(inside, annotated, upward, rng) if config.negatives == "degree"
               else _negatives(members, len(inside), annotated, upward, rng))
        pairs = np.vstack([inside, neg])
        labels = np.r_[np.ones(len(inside), np.int8), np.zeros(len(neg), np.int8)]
        order = rng.permutation(len(pairs))
        out[name] = pd.DataFrame({"gene_a": genes[pairs[order, 0]], "gene_b": genes[pairs[order, 1]],
                                  "label": labels[order]})
    return out


def degree_balance(frame: pd.DataFrame) -> dict:
    """How far a labelled split is from degree-matched: the genes whose number of negative pairs
    differs from their number of positive pairs, and the pairs that difference adds up to."""
    def count(label: int) -> pd.Series:
        part = frame[frame["label"] == label]
        return pd.concat([part["gene_a"], part["gene_b"]]).value_counts()

    gap = count(1).sub(count(0), fill_value=0)
    return {"genes_unbalanced": int((gap != 0).sum()), "pairs_off": int(gap.abs().sum() // 2)}


def _related(a: np.ndarray, b: np.ndarray, annotated: sparse.csr_matrix, upward: sparse.csr_matrix) -> np.ndarray:
    """Per pair: a term of one gene is, or is an ancestor of, a term of the other."""
    return ((np.asarray(annotated[b].multiply(upward[a]).sum(axis=1)).ravel() > 0)
            | (np.asarray(annotated[a].multiply(upward[b]).sum(axis=1)).ravel() > 0))


def _negatives(members: np.ndarray, n: int, annotated: sparse.csr_matrix, upward: sparse.csr_matrix,
               rng: np.random.Generator) -> np.ndarray:
    """``n`` distinct random pairs of ``members`` that are unrelated in GO (rejection sampling)."""
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
        related = _related(a, b, annotated, upward)
        for x, y in zip(a[~related].tolist(), b[~related].tolist()):
            if (x, y) not in found:
                found.add((x, y))
                out.append((x, y))
                if len(out) == n:
                    return np.array(out, dtype=np.int64)
    raise InputError(f"could not find {n} unrelated gene pairs among {len(members)} genes")


def _matched_negatives(positives: np.ndarray, annotated: sparse.csr_matrix, upward: sparse.csr_matrix,
                       rng: np.random.Generator, rounds: int = 8, tries: int = 1024) -> np.ndarray:
    """Unrelated pairs in which every gene appears exactly as often as in ``positives``.

    Each gene contributes one "stub" per positive pair; the stubs are shuffled and paired, and
    pairs that are related in GO, self-pairs, positives or repeats are undone and paired again,
    a few rounds. What is left are the stubs of busy genes, related to one another; each pair of
    them (g, h) is placed by a swap into an accepted negative, (c, d) -> (g, c), (h, d), which
    keeps every gene's count. A stub pair no swap can place is dropped, leaving its genes one
    negative short (the build records how many)."""
    if not len(positives):
        return np.empty((0, 2), dtype=np.int64)
    n = annotated.shape[0]
    taken = set((positives[:, 0] * n + positives[:, 1]).tolist())
    chosen = np.empty(len(positives), dtype=np.int64)     # pair codes a * n + b, a < b
    size = 0
    stubs = positives.ravel()
    for _ in range(rounds):
        stubs = rng.permutation(stubs)
        a, b = np.minimum(stubs[0::2], stubs[1::2]), np.maximum(stubs[0::2], stubs[1::2])
        code = a * n + b
        ok = (a != b) & ~_isin(code, taken) & ~_related(a, b, annotated, upward)
        ok[np.setdiff1d(np.arange(len(code)), np.unique(code, return_index=True)[1])] = False   # repeats
        chosen[size:size + ok.sum()] = code[ok]
        size += int(ok.sum())
        taken.update(code[ok].tolist())
        stubs = np.column_stack([a[~ok], b[~ok]]).ravel()
        if len(stubs) < 2:
            break
    if not size:
        return np.empty((0, 2), dtype=np.int64)
    busy, slot = np.unique(stubs, return_inverse=True)
    related = ((annotated[busy] @ upward.T) + (upward[busy] @ annotated.T)).toarray() > 0   # busy genes x genes
    for g, h in zip(slot[0::2].tolist(), slot[1::2].tolist()):
        pick = rng.integers(size, size=tries)
        c, d = np.divmod(chosen[pick], n)
        gene_g, gene_h = busy[g], busy[h]
        new_1 = np.minimum(gene_g, c) * n + np.maximum(gene_g, c)
        new_2 = np.minimum(gene_h, d) * n + np.maximum(gene_h, d)
        ok = ((c != gene_g) & (d != gene_h) & (new_1 != new_2) & ~related[g, c] & ~related[h, d]
              & ~_isin(new_1, taken) & ~_isin(new_2, taken))
        if not ok.any():
            continue
        k = int(np.flatnonzero(ok)[0])
        taken.discard(int(chosen[pick[k]]))
        taken.update((int(new_1[k]), int(new_2[k])))
        chosen[pick[k]] = new_1[k]
        chosen[size] = new_2[k]
        size += 1
    return np.column_stack(np.divmod(chosen[:size], n))


def _isin(codes: np.ndarray, known: set[int]) -> np.ndarray:
    return np.fromiter((c in known for c in codes.tolist()), dtype=bool, count=len(codes))
