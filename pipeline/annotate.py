"""Per-gene annotations for the map: display class (the paper's colours) and tissue specificity."""
from __future__ import annotations

import numpy as np
import pandas as pd

CLASSES = ("protein-coding", "LOC non-coding", "microRNA", "snoRNA", "uncharacterised ORF",
           "pseudogene", "other ncRNA", "other")
NCRNA_TYPES = ("ncRNA", "rRNA", "tRNA", "snRNA", "scRNA", "snoRNA")


def display_class(symbols: pd.Series, types: pd.Series) -> pd.Series:
    """The paper's gene classes from NCBI type_of_gene plus symbol rules, first match wins.

    ``LOC*`` genes that do not code for protein, ``MIR<digit>*`` ncRNAs (not the ``MIR..HG``
    host genes), ``SNOR*`` or snoRNA, ``C<n>orf<n>`` open reading frames, then the NCBI type."""
    s = symbols.fillna("").astype(str)
    t = types.fillna("unknown").astype(str)
    rules = [
        (s.str.match(r"^LOC\d+$") & (t != "protein-coding"), "LOC non-coding"),
        (s.str.match(r"^MIR\d") & ~s.str.endswith("HG") & (t == "ncRNA"), "microRNA"),
        (s.str.match(r"^SNOR") | (t == "snoRNA"), "snoRNA"),
        (s.str.match(r"^C\d+orf\d+$", case=False), "uncharacterised ORF"),
        (t == "protein-coding", "protein-coding"),
        (t == "pseudo", "pseudogene"),
        (t.isin(NCRNA_TYPES), "other ncRNA"),
    ]
    out = np.select([m.to_numpy() for m, _ in rules], [c for _, c in rules], default="other")
    return pd.Series(pd.Categorical(out, categories=CLASSES), index=symbols.index)


def tissue_zscores(expression: pd.DataFrame, pseudocount: float = 1.0) -> pd.DataFrame:
    """Genes x tissues (TPM-like, linear) -> z-score of log2(x + 1) of each tissue against the
    gene's own mean and standard deviation over tissues. Genes expressed identically everywhere
    have no specificity: NaN."""
    logx = np.log2(expression.astype(np.float64) + pseudocount)
    mean = logx.mean(axis=1)
    std = logx.std(axis=1, ddof=0)
    z = logx.sub(mean, axis=0).div(std.where(std > 1e-9), axis=0)
    return z.astype(np.float32)


def class_enrichment(classes: pd.Series, clusters: np.ndarray, min_genes: int = 20) -> list[dict]:
    """Fisher's exact test of each class in each map region (the paper's "islands"):
    one row per (region, class) with an odds ratio and a Bonferroni-corrected p-value."""
    from scipy.stats import fisher_exact

    rows = []
    labels = [c for c in np.unique(clusters) if c >= 0]
    tests = len(labels) * len(CLASSES)
    for region in labels:
        inside = clusters == region
        if inside.sum() < min_genes:
            continue
        for cls in CLASSES:
            is_cls = (classes == cls).to_numpy()
            a = int((inside & is_cls).sum())
            if a == 0:
                continue
            b = int((inside & ~is_cls).sum())
            c = int((~inside & is_cls).sum())
            d = int((~inside & ~is_cls).sum())
            odds, p = fisher_exact([[a, b], [c, d]], alternative="greater")
            rows.append({"region": int(region), "class": cls, "genes_in_region": int(inside.sum()),
                         "class_in_region": a, "odds_ratio": float(odds), "p_bonferroni": min(1.0, p * tests)})
    return sorted(rows, key=lambda r: r["p_bonferroni"])
