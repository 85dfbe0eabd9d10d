import numpy as np
import pandas as pd
import pytest

from pipeline.annotate import class_enrichment, display_class, first_known, tissue_zscores, z_limit


@pytest.mark.parametrize("symbol, kind, biotype, expected", [
    ("TP53", "protein-coding", "protein_coding", "protein-coding"), ("LOC105375355", "ncRNA", "", "LOC non-coding"),
    ("LOC100288778", "protein-coding", "", "protein-coding"), ("MIR21", "ncRNA", "", "microRNA"),
    ("MIR6859-1", "ncRNA", "miRNA", "microRNA"), ("MIR17HG", "ncRNA", "lncRNA", "lncRNA"),
    ("MIR17HG", "ncRNA", "", "other ncRNA"), ("SNORD3A", "snoRNA", "", "snoRNA"), ("SNORA73B", "ncRNA", "", "snoRNA"),
    ("SCARNA2", "ncRNA", "snoRNA", "snoRNA"), ("C1orf112", "protein-coding", "", "uncharacterised ORF"),
    ("C2ORF78", "protein-coding", "", "uncharacterised ORF"), ("GAPDHP1", "pseudo", "", "pseudogene"),
    ("AC000061.1", "unknown", "processed_pseudogene", "pseudogene"), ("XIST", "ncRNA", "lncRNA", "lncRNA"),
    ("XIST", "ncRNA", "", "other ncRNA"), ("LINC00115", "ncRNA", "", "lncRNA"),
    ("LINC00115P", "ncRNA", "", "other ncRNA"), ("TRNA1", "tRNA", "", "other ncRNA"), ("RNU1-1", "unknown", "snRNA",
                                                                                "other ncRNA"),
    ("ABC1", "unknown", "", "other"), ("X", None, None, "other"),
])
def test_display_classes(symbol, kind, biotype, expected):
    assert display_class(pd.Series([symbol]), pd.Series([kind]), pd.Series([biotype]))[0] == expected


def test_gencode_type_through_the_first_known_ensembl_id():
    types = pd.Series({"ENSG1": "lncRNA", "ENSG3": "miRNA"})
    found = first_known(pd.Series(["ENSG9|ENSG1", "ENSG3|ENSG1", "", None]), types)
    assert found.tolist() == ["lncRNA", "miRNA", "", ""]


def test_tissue_zscores():
    tpm = pd.DataFrame({"liver": [100.0, 5.0, 3.0, 0.5], "brain": [1.0, 5.0, 3.0, 0.1],
                        "heart": [1.0, 5.0, 7.0, 0.0]}, index=["ALB", "FLAT", "X", "NOISE"])
    z = tissue_zscores(tpm, floor=1.0)
    logx = np.log2(tpm.loc["ALB"] + 1)
    assert z.loc["ALB", "liver"] == pytest.approx((logx["liver"] - logx.mean()) / logx.std(ddof=0), rel=1e-5)
    assert z.loc["ALB", "liver"] > 1.4 and z.loc["ALB", "brain"] < 0
    assert z.loc["FLAT"].isna().all()                 # same everywhere: no specificity
    assert z.loc["NOISE"].isna().all()                # below the floor everywhere: noise, not "liver-specific"
    assert tissue_zscores(tpm, floor=0.0).loc["NOISE"].notna().all()


def test_colour_limit_follows_the_atlas():
    rng = np.random.default_rng(0)
    few = tissue_zscores(pd.DataFrame(rng.gamma(1, 50, size=(500, 4))))
    many = tissue_zscores(pd.DataFrame(rng.gamma(1, 50, size=(500, 31)) * np.r_[[30.0], np.ones(30)]))
    assert z_limit(few) <= 2.0 < z_limit(many)        # 4 tissues cannot pass 1.73
    assert z_limit(many) % 0.5 == 0


def test_class_enrichment_finds_a_planted_island():
    classes = pd.Series(["protein-coding"] * 400 + ["microRNA"] * 40)
    regions = np.r_[np.repeat(np.arange(4), 100), np.full(40, 2)]
    rows = class_enrichment(classes, regions)
    top = rows[0]
    assert (top["region"], top["class"]) == (2, "microRNA") and top["p_bonferroni"] < 1e-10
