"""Two embeddings of the same genes side by side (the Compare tab): a gene's neighbours in each,
with where each neighbour ranks in the other."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gene2vec_dash.queries import MapData, neighbours


def ranks_around(data: MapData, symbol: str) -> np.ndarray:
    """Every gene's rank (1 = most similar) by cosine to ``symbol``; the gene itself ranks last."""
    sims = data.unit @ data.unit[data.row[symbol]]
    sims[data.row[symbol]] = -np.inf
    ranks = np.empty(len(sims), dtype=np.int64)
    ranks[np.argsort(-sims, kind="stable")] = np.arange(1, len(sims) + 1)
    return ranks


def compare(a: MapData, b: MapData, symbol: str, k: int) -> dict:
    """A gene's neighbours in two embeddings: each list with where its genes rank in the other
    (None: not in the other), and the Jaccard index of the two top-k sets (None when the gene is
    not in ``b``)."""
    mine = neighbours(a, symbol, k)
    if symbol not in b.row:
        return {"a": mine.assign(other_rank=None), "b": None, "shared": 0, "jaccard": None, "support_from": None}
    theirs = neighbours(b, symbol, k)

    def rank_in(data: MapData, table: pd.DataFrame) -> list:
        ranks = ranks_around(data, symbol)
        return [int(ranks[data.row[s]]) if s in data.row else None for s in table["symbol"]]

    if "support" not in b.genes.columns:        # b records no contexts (an import): the tiers in a's compendium
        theirs = theirs.assign(support=[str(a.genes.at[a.row[s], "support"]) if s in a.row and "support" in
                                        a.genes.columns else "unknown" for s in theirs["symbol"]])
    shared = len(set(mine["symbol"]) & set(theirs["symbol"]))
    return {"a": mine.assign(other_rank=rank_in(b, mine)), "b": theirs.assign(other_rank=rank_in(a, theirs)),
            "shared": shared, "jaccard": shared / (len(mine) + len(theirs) - shared),
            "support_from": "b" if "support" in b.genes.columns else "a"}
