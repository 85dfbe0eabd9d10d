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
