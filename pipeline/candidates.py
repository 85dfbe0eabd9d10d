"""Which genes belong with a gene list (GeneMANIA's and SEEK's question), from the vectors alone.

A gene's score is its mean cosine to the list less its mean cosine to every gene (SEEK's hub
correction: a gene close to everything is close to every list). Chosen on the compendium's own
sets (150 Reactome / WikiPathways / GO BP sets of 10-200 genes, 5-fold by member, demo embedding):
held-out members' AUROC 0.804 / 0.781 / 0.733 against 0.800 / 0.775 / 0.727 for the plain mean
cosine, 0.814 / 0.775 / 0.722 for the mean of the three best cosines and 0.701 / 0.647 / 0.634 for
a vote of cosines above 0.5.

The list's own cross-validated AUROC (its members held out a fold at a time, scored by the others,
ranked among the genes outside the list) says whether the list is coherent enough to extend: 0.5
is a list the embedding sees as random genes.
"""
from __future__ import annotations

import numpy as np


def hubness(unit: np.ndarray) -> np.ndarray:
    """Each gene's mean cosine to every gene (rows of ``unit`` have length 1): one matrix-vector product."""
    return (unit @ unit.mean(axis=0)).astype(np.float32)


def list_scores(unit: np.ndarray, hub: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Every gene's mean cosine to the ``members`` rows less its hubness (members score themselves too)."""
    return (unit @ unit[members].mean(axis=0) - hub).astype(np.float32)


def list_auroc(unit: np.ndarray, hub: np.ndarray, members: np.ndarray, folds: int = 5, seed: int = 0
               ) -> float | None:
    """AUROC of held-out members among the genes outside the list, each fold scored by the other
    members (None for a list of fewer than 3 genes: nothing is left to score a held-out one)."""
    members = np.unique(members)
    if len(members) < 3 or len(members) >= len(unit):
        return None
    order = np.random.default_rng(seed).permutation(members)
    fold = np.arange(len(order)) % min(folds, len(order))
    outside = np.ones(len(unit), dtype=bool)
    outside[members] = False
    hits = 0.0
    for f in range(fold.max() + 1):
        scores = list_scores(unit, hub, order[fold != f])
        negatives = np.sort(scores[outside])
        held = scores[order[fold == f]]
        # each held-out member beats the negatives below it; ties count a half
        hits += (np.searchsorted(negatives, held, "left") + np.searchsorted(negatives, held, "right")).sum() / 2
    return float(hits / (len(members) * outside.sum()))
