import numpy as np
import pandas as pd
import pytest

from pipeline.annotate import class_enrichment, display_class, tissue_zscores


@pytest.mark.parametrize("symbol, kind, expected", [
    ("TP53", "protein-coding", "protein-coding"), ("LOC105375355", "ncRNA", "LOC non-coding"),
    ("LOC100288778", "protein-coding", "protein-coding"), ("MIR21", "ncRNA", "microRNA"),
    ("MIR17HG", "ncRNA", "other ncRNA"), ("SNORD3A", "snoRNA", "snoRNA"), ("SNORA73B", "ncRNA", "snoRNA"),
    ("C1orf112", "protein-coding", "uncharacterised ORF"), ("C2ORF78", "protein-coding", "uncharacterised ORF"),
    ("GAPDHP1", "pseudo", "pseudogene"), ("XIST", "ncRNA", "other ncRNA"), ("TRNA1", "tRNA", "other ncRNA"),
    ("ABC1", "unknown", "other"), ("X", None, "other"),
])
def test_display_classes(symbol, kind, expected):
    assert display_class(pd.Series([symbol]), pd.Series([kind]))[0] == expected


def test_tissue_zscores():
    tpm = pd.DataFrame({"liver": [100.0, 5.0, 3.0], "brain": [1.0, 5.0, 3.0], "heart": [1.0, 5.0, 7.0]},
                       index=["ALB", "FLAT", "X"])
    z = tissue_zscores(tpm)
    logx = np.log2(tpm.loc["ALB"] + 1)
    assert z.loc["ALB", "liver"] == pytest.approx((logx["liver"] - logx.mean()) / logx.std(ddof=0), rel=1e-5)
    assert z.loc["ALB", "liver"] > 1.4 and z.loc["ALB", "brain"] < 0
    assert z.loc["FLAT"].isna().all()                 # same everywhere: no specificity


def test_class_enrichment_finds_a_planted_island():
    classes = pd.Series(["protein-coding"] * 400 + ["microRNA"] * 40)
    regions = np.r_[np.repeat(np.arange(4), 100), np.full(40, 2)]
    rows = class_enrichment(classes, regions)
    top = rows[0]
    assert (top["region"], top["class"]) == (2, "microRNA") and top["p_bonferroni"] < 1e-10
