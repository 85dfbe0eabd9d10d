"""Predicted functions end to end: the build's functions stage, `predict functions`, emb.functions and
emb.candidates, on the planted-module bundle (modules MODULE_0..9 of 20 genes each)."""
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from pipeline.bundle import FUNCTIONS
from pipeline.candidates import hubness, list_auroc, list_scores, with_tissues
from pipeline.function_table import best_terms, write_all_scores
from pipeline.functions import FOLDS


def _clusters(seed=0, n=400, k=8, dims=24):
    rng = np.random.default_rng(seed)
    label = np.arange(n) % k
    v = rng.standard_normal((k, dims))[label] + 0.6 * rng.standard_normal((n, dims))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32), label


def test_a_coherent_list_scores_near_one_and_a_random_one_near_a_half():
    unit, label = _clusters()
    hub = hubness(unit)
    coherent = np.flatnonzero(label == 3)[:30]
    assert list_auroc(unit, hub, coherent) > 0.95
    randoms = [list_auroc(unit, hub, np.random.default_rng(s).choice(len(unit), 30, replace=False)) for s in range(10)]
    assert abs(np.mean(randoms) - 0.5) < 0.08
    assert list_auroc(unit, hub, coherent[:2]) is None                  # nothing left to score a held-out gene
    scores = list_scores(unit, hub, coherent[:10])
    outside = np.setdiff1d(np.arange(len(unit)), coherent[:10])
    best = outside[np.argsort(-scores[outside])[:10]]
    assert (label[best] == 3).all()                                       # the list's other members come first


def test_a_list_that_only_the_tissues_hold_together_is_found_beside_the_vectors():
    from pipeline.function_profiles import tissue_profiles

    unit, label = _clusters()
    rng = np.random.default_rng(1)
    tissue = (label == 3) * 2.0                                  # the vectors' cluster 3 is also one tissue's
    tissue_group = rng.permutation(len(unit))[:50]            # and 50 genes the vectors scatter share another
    z = rng.standard_normal((len(unit), 30))
    z[:, 0] += tissue * 2
    z[tissue_group, 1] += 4
    z[5] = np.nan                                              # not scored by the atlas: its block stays zero
    atlas = tissue_profiles([z])
    joint = with_tissues(unit, atlas)
    assert joint.shape == (len(unit), 24 + 30) and np.allclose(np.linalg.norm(joint, axis=1), 1, atol=1e-5)
    assert np.allclose(joint[5, 24:], 0) and np.allclose(joint[5, :24], unit[5], atol=1e-6)
    assert with_tissues(unit, None) is unit
    alone, both = list_auroc(unit, hubness(unit), tissue_group), list_auroc(joint, hubness(joint), tissue_group)
    assert alone < 0.65 and both > 0.9
    coherent = np.flatnonzero(label == 3)[:30]
    assert list_auroc(joint, hubness(joint), coherent) > 0.95           # what the vectors held still holds


def test_best_terms_keeps_each_genes_top_terms_in_order_with_known_marked():
    members = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 1], [0, 0, 0]], dtype=np.float32))
    terms = np.array(["A", "B", "C"], dtype=object)
    scores = np.array([[0.1, 0.9, 0.5], [0.3, 0.2, 0.8], [0.0, 0.0, 1.0]], dtype=np.float32)
    blocks = iter([(np.array([2, 0]), scores[[2, 0]], scores[[2, 0]] / 2),
                   (np.array([1]), scores[[1]], scores[[1]] / 2)])
    frame = best_terms("lib", members, terms, blocks, top=2)
    assert frame["gene"].tolist() == [0, 0, 1, 1, 2, 2]
    assert frame["term"].tolist() == ["B", "C", "C", "A", "C", "A"]
    assert frame["known"].tolist() == [False, False, True, False, False, False]
    assert frame["probability"].tolist() == pytest.approx([0.45, 0.25, 0.4, 0.15, 0.5, 0.0])


def test_the_whole_table_is_never_left_half_written(tmp_path):
    members = sparse.csr_matrix(np.eye(3, dtype=np.float32))
    out = tmp_path / "all.parquet"

    def failing():
        yield np.array([0]), np.ones((1, 3), np.float32), np.ones((1, 3), np.float32)
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_all_scores(out, np.array(["a", "b", "c"]), members, np.array(["T1", "T2", "T3"]), failing())
    assert list(tmp_path.iterdir()) == []
    blocks = iter([(np.array([1, 0, 2]), np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32))])
    assert write_all_scores(out, np.array(["a", "b", "c"]), members, np.array(["T1", "T2", "T3"]), blocks) == 9
    table = pd.read_parquet(out)
    known = table[table["known"]][["gene", "term"]].astype(str).values.tolist()
    assert known == [["b", "T2"], ["a", "T1"], ["c", "T3"]]


def test_term_labels_read_as_words_with_their_ids():
    from gene2vec_dash.functions import term_label

    assert term_label("GO:0007049 cell cycle") == ("cell cycle", "GO:0007049")
    assert term_label("REACTOME_CELL_CYCLE_MITOTIC") == ("Cell cycle mitotic", "")
    assert term_label("Cell Cycle WP179") == ("Cell Cycle", "WP179")
    assert term_label("MODULE_3") == ("Module 3", "")
    assert term_label("REACTOME_MITOTIC_M_M_G1_PHASES") == ("Mitotic M M G1 phases", "")
    assert term_label("REACTOME_TRANSPORT_OF_IONS_BY_DNA") == ("Transport of ions by DNA", "")


def test_the_build_predicts_each_modules_genes_into_their_module(small_bundle):
    from gene2vec_dash.api import open_bundle

    emb = open_bundle(small_bundle)
    assert (small_bundle / FUNCTIONS).is_file() and emb.manifest["functions"]["folds"] == FOLDS
    assert emb.manifest["functions"]["profiles"] == {"expression": 2, "tissue": 1}   # its data sets and atlas read
    assert "modules" in emb.libraries
    hits, planted = 0, emb.genes["symbol"][emb.genes["description"].str.startswith("planted module")]
    for gene in planted:
        top = emb.functions(gene, library="modules", k=3)
        module = emb.genes.set_index("symbol").at[gene, "description"].split()[2]
        hits += top["set"].iat[0] == f"MODULE_{module}"
        assert top["probability"].is_monotonic_decreasing or top["score"].is_monotonic_decreasing
    assert hits / len(planted) > 0.6    # chance: 0.1; each gene scored by models that never saw its own membership
    with pytest.raises(KeyError, match="no library"):
        emb.functions(gene, library="KEGG")


def test_candidates_extend_a_module_and_say_how_coherent_the_list_is(small_bundle):
    from gene2vec_dash.api import open_bundle

    emb = open_bundle(small_bundle)
    module = emb.genes["symbol"][emb.genes["description"] == "planted module 0 gene"].tolist()
    found = emb.candidates([*module[:8], "NOT_A_GENE"], k=10)
    assert found.attrs["unknown"] == ["NOT_A_GENE"] and found.attrs["auroc"] > 0.9
    assert len(set(found["symbol"]) & set(module[8:])) >= 8 and len(found) == 10
    mixed = emb.genes.groupby("description")["symbol"].first().tolist()          # one gene of each module
    assert emb.candidates(mixed).attrs["auroc"] < 0.75


def test_predict_functions_writes_every_gene_and_term(small_bundle, inputs, tmp_path, capsys):
    from pipeline.cli import main

    out = tmp_path / "modules.parquet"
    assert main(["predict", "functions", "--bundle", str(small_bundle), "--gmt", str(inputs["gmt"]),
                 "--out", str(out)]) == 0
    table = pd.read_parquet(out)
    genes = set(open(small_bundle / "embedding.genes.txt").read().split())
    listed = [g for line in open(inputs["gmt"]) for g in line.split()[2:] if g in genes]
    assert len(table) == len(genes) * 10 and table["known"].sum() == len(listed) > 150
    mean = table.groupby("known")["probability"].mean()
    assert mean[True] > 5 * mean[False]
    assert main(["predict", "functions", "--bundle", str(small_bundle), "--gmt", str(tmp_path / "none.gmt"),
                 "--out", str(out)]) == 2
    assert "none.gmt" in capsys.readouterr().err


def test_predict_and_evaluate_functions_work_on_a_bundle_without_evidence_files(small_bundle, inputs, tmp_path, capsys):
    import shutil

    from pipeline.cli import main
    from pipeline.evidence import INDEX, PROFILES

    bare = tmp_path / "bare"
    shutil.copytree(small_bundle, bare, ignore=shutil.ignore_patterns(INDEX, PROFILES))
    for folder in (small_bundle, bare):
        assert main(["predict", "functions", "--bundle", str(folder), "--gmt", str(inputs["gmt"]),
                     "--out", str(tmp_path / f"{folder.name}.parquet")]) == 0
    with_profiles, vectors_only = (pd.read_parquet(tmp_path / f"{f.name}.parquet") for f in (small_bundle, bare))
    assert len(vectors_only) == len(with_profiles) and not np.allclose(vectors_only["score"], with_profiles["score"])
    mean = vectors_only.groupby("known")["probability"].mean()
    assert mean[True] > 5 * mean[False]
    assert main(["evaluate", "functions", "--bundle", str(bare), "--sample", "50"]) == 0
    out = capsys.readouterr().out
    assert "skipped: the bundle has no evidence files" in out and "expression_ridge" not in out
