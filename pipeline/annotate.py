"""Per-gene annotations for the map: display class (the paper's colours) and tissue specificity."""
from __future__ import annotations

import numpy as np
import pandas as pd

CLASSES = ("protein-coding", "LOC non-coding", "lncRNA", "microRNA", "snoRNA", "uncharacterised ORF",
           "pseudogene", "other ncRNA", "other")
# each class's colour on the map and in exports (h5ad ``uns["class_colors"]``): Okabe-Ito (colour-blind
# safe) for the small classes, the large protein-coding class muted; the legend's order
CLASS_COLOURS = {
    "protein-coding": "#a9bccb",
    "lncRNA": "#6a3d9a",
    "LOC non-coding": "#E69F00",
    "microRNA": "#D55E00",
    "snoRNA": "#CC79A7",
    "uncharacterised ORF": "#009E73",
    "pseudogene": "#0072B2",
    "other ncRNA": "#56B4E9",
    "other": "#8c8c8c",
}
NCRNA_TYPES = ("ncRNA", "rRNA", "tRNA", "snRNA", "scRNA", "snoRNA")


def display_class(symbols: pd.Series, types: pd.Series, biotypes: pd.Series | None = None) -> pd.Series:
    """The paper's gene classes from NCBI ``type_of_gene``, GENCODE ``gene_type`` (``biotypes``)
    and symbol rules, first match wins.

    ``LOC*`` genes that do not code for protein, microRNAs (GENCODE miRNA, or ``MIR<digit>*``
    ncRNAs that are not ``MIR..HG`` host genes), snoRNAs (``SNOR*``, NCBI or GENCODE snoRNA),
    ``C<n>orf<n>`` open reading frames, protein-coding, pseudogenes, then long non-coding RNAs:
    NCBI calls every one of them "ncRNA", GENCODE tells lncRNA from the rest, and so does HGNC's
    ``LINC<n>`` symbol where GENCODE has no id for the gene (LINC00115)."""
    s = symbols.fillna("").astype(str)
    t = types.fillna("unknown").astype(str)
    b = (biotypes if biotypes is not None else pd.Series("", index=symbols.index)).fillna("").astype(str)
    rules = [
        (s.str.match(r"^LOC\d+$") & (t != "protein-coding"), "LOC non-coding"),
        ((s.str.match(r"^MIR\d") & ~s.str.endswith("HG") & (t == "ncRNA")) | (b == "miRNA"), "microRNA"),
        (s.str.match(r"^SNOR") | (t == "snoRNA") | (b == "snoRNA"), "snoRNA"),
        (s.str.match(r"^C\d+orf\d+$", case=False), "uncharacterised ORF"),
        ((t == "protein-coding") | ((t == "unknown") & (b == "protein_coding")), "protein-coding"),
        ((t == "pseudo") | b.str.endswith("pseudogene"), "pseudogene"),
        (b == "lncRNA", "lncRNA"),
        (s.str.match(r"^LINC\d+$") & (t == "ncRNA"), "lncRNA"),     # HGNC's long intergenic ncRNAs, no GENCODE id
        (t.isin(NCRNA_TYPES) | b.str.endswith("RNA"), "other ncRNA"),
    ]
    out = np.select([m.to_numpy() for m, _ in rules], [c for _, c in rules], default="other")
    return pd.Series(pd.Categorical(out, categories=CLASSES), index=symbols.index)


def first_known(joined_ids: pd.Series, lookup: pd.Series) -> pd.Series:
    """For each ``|``-joined list of ids, the value ``lookup`` gives its first known id ("" if none):
    a gene's GENCODE type through its Ensembl ids."""
    ids = joined_ids.fillna("").astype(str).str.split("|").explode()
    found = ids.map(lookup).dropna()
    return found[~found.index.duplicated()].reindex(joined_ids.index).fillna("").astype(str)


def tissue_zscores(expression: pd.DataFrame, floor: float = 1.0, pseudocount: float = 1.0) -> pd.DataFrame:
    """Genes x tissues (TPM-like, linear) -> z-score of log2(x + 1) of each tissue against the
    gene's own mean and standard deviation over the atlas's tissues (the paper's specificity).

    Genes below ``floor`` in every tissue get NaN: at a fraction of a TPM the differences between
    tissues are noise, and would otherwise rank as "specific". So do genes expressed identically
    everywhere."""
    x = expression.astype(np.float64)
    logx = np.log2(x + pseudocount)
    mean = logx.mean(axis=1)
    std = logx.std(axis=1, ddof=0)
    z = logx.sub(mean, axis=0).div(std.where((std > 1e-9) & (x.max(axis=1) >= floor)), axis=0)
    return z.astype(np.float32)


def z_limit(z: pd.DataFrame, quantile: float = 0.99) -> float:
    """The colour scale's end for an atlas: the 99th percentile of its positive z-scores, to the
    half unit, so that the specific genes saturate (z over 4 tissues never passes 1.73; over 31
    it reaches 5.5)."""
    values = z.to_numpy(dtype=np.float64)
    positive = values[np.isfinite(values) & (values > 0)]
    if not len(positive):
        return 1.0
    return max(1.0, float(np.ceil(np.quantile(positive, quantile) * 2) / 2))


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
