"""Names people type: the gene box's order, the recorded symbol renames, other resources' tissue names."""
from __future__ import annotations

import pandas as pd
import pytest

from gene2vec_dash.names import NameIndex, find_tissue, newer_symbols, search, tissue_options
from pipeline.errors import InputError
from pipeline.sources.genes import read_symbol_renames


def test_symbols_first_then_the_alias_then_alias_prefixes_then_descriptions():
    genes = pd.DataFrame({"symbol": ["SCN2A", "HBA1", "HBA2", "HBAP1", "ACOT7", "HBB"],
                          "description": ["sodium channel", "hemoglobin alpha 1", "hemoglobin alpha 2",
                                          "pseudogene", "acyl-CoA thioesterase", "hemoglobin subunit beta HBA-like"]})
    alias = {"HBA": "SCN2A", "HBACH": "ACOT7", **{s.upper(): s for s in genes["symbol"]}}
    index = NameIndex.build(alias, genes)
    assert [s for s, _ in search(index, "SCN2A", "hba")] == ["HBA1", "HBA2", "HBAP1", "SCN2A", "ACOT7", "HBB"]
    assert search(index, "SCN2A", "hba")[3] == ("SCN2A", "HBA") and search(index, "HBA1", "HBA1")[0] == ("HBA1", None)
    assert search(index, "HBB", "983") == [("HBB", "983")]                   # an Entrez id resolved by the app
    assert search(index, None, "<script>") == [] and search(index, None, " ") == []


def test_the_recorded_renames_make_newer_symbols_aliases():
    renames, about = read_symbol_renames()
    assert about["table_date"] == "2022-09-12" and about["renames_date"] >= "2026-01-01"
    assert 500 < len(renames) < 5000
    genes = pd.DataFrame({"symbol": ["C1orf112", "CDK1", "FIRRM2"], "entrez": [55732, 983, 1]})
    assert newer_symbols(genes, renames) == {"C1orf112": "FIRRM"}
    assert newer_symbols(genes.assign(symbol=["FIRRM", "CDK1", "X"]), renames) == {}    # already the newer table


def test_a_damaged_renames_table_is_one_line(tmp_path):
    bad = tmp_path / "renames.tsv"
    bad.write_text("# renames_date: 2026\nentrez\tsymbol\n1\tA\n")
    with pytest.raises(InputError, match="renames.tsv"):
        read_symbol_renames(bad)


def test_tissues_by_the_gtex_portals_and_hpas_names():
    atlases = {"gtex": ["Blood", "Heart", "Brain", "Muscle", "Thyroid"],
               "hpa_tissue": ["heart muscle", "cerebral cortex", "skeletal muscle", "thyroid gland"]}
    assert find_tissue(atlases, "Whole Blood") == ("gtex", "Blood")
    assert find_tissue(atlases, "whole blood", "hpa_tissue") is None
    assert find_tissue(atlases, "Heart - Left Ventricle", "hpa_tissue") == ("hpa_tissue", "heart muscle")
    assert find_tissue(atlases, "Brain - Cortex", "hpa_tissue") == ("hpa_tissue", "cerebral cortex")
    assert find_tissue(atlases, "thyroid gland", "gtex") == ("gtex", "Thyroid")
    assert find_tissue(atlases, "Thyroid", "hpa_tissue") == ("hpa_tissue", "thyroid gland")
    assert find_tissue(atlases, "heart") == ("gtex", "Heart") and find_tissue(atlases, "Liver") is None
    blood = tissue_options(atlases["gtex"])[0]
    assert blood["value"] == "Blood" and "whole blood" in blood["search"]


def test_share_intervals_and_tissue_patterns_led_by_their_low_end():
    from gene2vec_dash.panels.about import pattern_rows
    from pipeline.evaluate import share_interval

    lo, hi = share_interval(0.083, 206)
    assert 0.05 < lo < 0.083 < hi < 0.13 and share_interval(0.5, 0) == (0.0, 1.0)
    assert share_interval(1.0, 84)[1] == pytest.approx(1.0) and share_interval(1.0, 84)[0] > 0.9
    patterns = {"Esophagus": {"specific_genes": 13, "map": 0.14, "map_random": 0.007, "map_ratio": 20.0},
                "Heart": {"specific_genes": 35, "map": 0.18, "map_random": 0.01, "map_ratio": 18.0},
                "Blood": {"specific_genes": 539, "map": 0.33, "map_random": 0.0235, "map_ratio": 14.06},
                "Nerve": {"specific_genes": 40}}
    shown, left = pattern_rows(patterns)
    assert [t for t, *_ in shown] == ["Blood", "Heart"]           # Heart's 18x from 35 genes: a wider interval
    assert left == [("Nerve", 40), ("Esophagus", 13)]
    assert all(lo < p["map_ratio"] < hi for _, p, lo, hi in shown)
