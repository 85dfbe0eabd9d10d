"""The evidence behind a pair and a gene: per-data-set profiles whose dot product is Pearson's r,
expression per data set, the ARCHS4 TF-list pairs; the files, their reader, and a bundle without them."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.evidence import (
    INDEX,
    PROFILES,
    condition,
    dataset_evidence,
    keeps_levels,
    read_profiles,
    tf_list_pairs,
    write_evidence,
)
from pipeline.preprocess import remove_components

EMBEDDED = np.array(["A", "B", "C", "D", "E"])


def _toy(rng: np.random.Generator, samples: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Genes C, A, B, X (X not embedded; D and E not measured): A and B correlated, C high and flat-ish."""
    base = rng.normal(size=samples)
    values = np.vstack([8 + 0.3 * rng.normal(size=samples), 5 + base + 0.3 * rng.normal(size=samples),
                        4 + base + 0.3 * rng.normal(size=samples), 2 + rng.normal(size=samples)])
    return np.array(["C", "A", "B", "X"]), values


def test_profiles_give_pearson_r_and_expression_per_gene():
    genes, values = _toy(np.random.default_rng(0))
    ds = dataset_evidence("toy", "blood", genes, values, EMBEDDED, expressed_quantile=0.5)
    assert ds.profiles.dtype == np.float16 and ds.profiles.shape == (3, 40) and ds.samples == 40
    assert ds.rows.tolist() == [0, 1, 2, -1, -1]                    # A, B, C measured (in embedded order); D, E not
    a, b = (ds.profiles[ds.rows[k]].astype(np.float32) for k in (0, 1))
    assert a @ b == pytest.approx(np.corrcoef(values[1], values[2])[0, 1], abs=2e-3)
    assert np.linalg.norm(a) == pytest.approx(1, abs=2e-3) and abs(a.mean()) < 1e-3
    assert ds.mean[:3] == pytest.approx(values[[1, 2, 0]].mean(axis=1), abs=1e-5) and np.isnan(ds.mean[3:]).all()
    # means 5 (A), 4 (B), 8 (C), 2 (X): the median of the data set's four genes is 4.5
    assert ds.expressed.tolist() == [True, False, True, False, False]
    assert ds.percentile[:3] == pytest.approx([2 / 3, 1 / 3, 1.0])
    strict = dataset_evidence("toy", "blood", genes, values, EMBEDDED, expressed_quantile=0.75)
    assert strict.expressed.tolist() == [False, False, True, False, False]


def test_profiles_follow_the_components_the_coexpression_removed():
    genes, values = _toy(np.random.default_rng(1))
    ds = dataset_evidence("toy", "", genes, values, EMBEDDED, components=1)
    cleaned = remove_components(values, 1)
    a, b = (ds.profiles[ds.rows[k]].astype(np.float32) for k in (0, 1))
    assert a @ b == pytest.approx(np.corrcoef(cleaned[1], cleaned[2])[0, 1], abs=2e-3)
    assert ds.mean[0] == pytest.approx(values[1].mean(), abs=1e-5)   # means from before the removal


def test_condition_is_the_description_less_its_scale():
    assert condition("influenza challenge time course, blood, log2 gene-level values") == \
        "influenza challenge time course, blood"
    assert condition("bladder cancer and normal biopsies, RMA log2; probes mapped with the GPL96 table") == \
        "bladder cancer and normal biopsies"
    assert condition("lymphoblastoid cell lines, raw counts; log2-CPM in preprocessing") == "lymphoblastoid cell lines"
    assert condition("") == ""


def test_tf_list_pairs_keep_rank_and_embedded_genes_sorted_by_pair():
    lists = pd.DataFrame({"a": ["E", "E", "E", "B", "B"], "b": ["A", "Z", "C", "E", "A"]})
    pairs = tf_list_pairs(lists, EMBEDDED)
    assert {tuple(p) for p in pairs.tolist()} == {(4, 0, 1), (4, 2, 3), (1, 4, 1), (1, 0, 2)}   # Z dropped
    keys = np.minimum(pairs[:, 0], pairs[:, 1]) * 5 + np.maximum(pairs[:, 0], pairs[:, 1])
    assert (np.diff(keys) >= 0).all()


@pytest.fixture()
def toy_bundle(tmp_path):
    """The evidence files of two toy data sets, as a bundle folder holds them."""
    rng = np.random.default_rng(2)
    genes, values = _toy(rng)
    first = dataset_evidence("one", "blood", genes, values, EMBEDDED)
    second = dataset_evidence("two", "liver", np.array(["A", "D"]), rng.normal(size=(2, 30)) + [[1], [9]],
                              EMBEDDED)
    pairs = tf_list_pairs(pd.DataFrame({"a": ["E", "B"], "b": ["A", "A"]}), EMBEDDED)
    record = write_evidence(tmp_path, EMBEDDED, [first, second], pairs, 0.5)
    assert record["datasets"][1] == {"name": "two", "tissue": "liver", "samples": 30, "genes_measured": 2,
                                     "genes_expressed": 1}
    return tmp_path, values


def test_pair_evidence_lists_every_data_set_and_the_tf_lists(toy_bundle):
    from gene2vec_dash.evidence import PAIR_COLUMNS, Evidence, pair_evidence

    folder, values = toy_bundle
    ev = Evidence.open(folder, EMBEDDED)
    table = pair_evidence(ev, "A", "B")
    assert list(table.columns) == PAIR_COLUMNS and table["dataset"].tolist() == ["one", "two", "ARCHS4 TF lists"]
    assert table["r"][0] == pytest.approx(np.corrcoef(values[1], values[2])[0, 1], abs=2e-3)
    assert np.isnan(table["r"][1]) and table["a_measured"].tolist() == [True, True, True]
    assert table["b_measured"].tolist() == [True, False, True]
    assert bool(table["in_tf_lists"][2]) and table["tf_rank"][2] == 1 and pd.isna(table["in_tf_lists"][0])
    assert not pair_evidence(ev, "C", "D")["in_tf_lists"].iloc[-1]
    assert table["samples"].tolist()[:2] == [40, 30]


def test_a_neighbour_row_says_the_r_behind_it_in_each_data_set(toy_bundle):
    from gene2vec_dash.evidence import Evidence, pair_evidence, rs_with
    from gene2vec_dash.evidence_view import neighbour_tips

    ev = Evidence.open(toy_bundle[0], EMBEDDED)
    found = rs_with(ev, "A", ["B", "C", "D", "E"])
    assert found.columns.tolist() == ["one", "two"] and found.shape == (4, 2)
    for other in ("B", "C", "D"):                     # the same r as the pair's own evidence, NaN where unmeasured
        np.testing.assert_allclose(found.loc[other].to_numpy(), pair_evidence(ev, "A", other)["r"][:2], atol=1e-3)
    tips = neighbour_tips(ev, "A", ["B", "D", "E"])
    assert tips[0].startswith("A · B, Pearson r per data set: one ")
    assert "of the 1 data sets that measure both" in tips[0]
    assert "two " in tips[1] and tips[2] == "No data set of the compendium measures both A and E."
    assert neighbour_tips(None, "A", ["B"]) == [None] and rs_with(None, "A", ["B"]).shape == (1, 0)


def test_gene_expression_and_the_honest_note(toy_bundle):
    from gene2vec_dash.evidence import Evidence, expression_note, gene_expression
    from gene2vec_dash.evidence_view import expression_words

    ev = Evidence.open(toy_bundle[0], EMBEDDED)
    d = gene_expression(ev, "D")
    assert d["measured"].tolist() == [False, True] and d["expressed"].tolist() == [False, True]
    assert expression_note(ev, "D") is None and expression_note(ev, "C") is None     # C: highest in "one"
    assert expression_note(ev, "B") == ("placed by co-expression in data sets where it is barely expressed: "
                                        "measured in 1 of 2 data sets, below the median gene in each")
    assert expression_note(ev, "E") == ("measured in none of the compendium's 2 data sets: placed by the "
                                        "ARCHS4 TF lists alone")
    assert expression_words(ev, "C", None) == "expressed in 1 of 2 data sets (blood); measured in 1"   # all with levels


def test_a_data_set_centred_per_gene_keeps_its_r_but_claims_no_expression(tmp_path):
    """TCGA GBM in GSVAdata is centred per gene: its r is evidence, its gene means are not."""
    from gene2vec_dash.evidence import Evidence, expression_note, gene_expression, pair_evidence
    from gene2vec_dash.evidence_view import expression_words

    genes, values = _toy(np.random.default_rng(3))
    centred = values - values.mean(axis=1, keepdims=True)
    assert keeps_levels(values) and not keeps_levels(centred)
    flat = dataset_evidence("gbm", "glioblastoma", genes, centred, EMBEDDED)
    assert not flat.levels and np.isnan(flat.mean).all() and np.isnan(flat.percentile).all()
    assert not flat.expressed.any() and flat.rows.tolist() == [0, 1, 2, -1, -1]
    levelled = dataset_evidence("one", "blood", genes[:2], values[:2], EMBEDDED)      # C (8) and A (5): A is low
    record = write_evidence(tmp_path, EMBEDDED, [levelled, flat], None, 0.5)
    assert record["datasets"][1]["genes_expressed"] is None
    ev = Evidence.open(tmp_path, EMBEDDED)
    assert ev.datasets["levels"].tolist() == [True, False]
    assert pair_evidence(ev, "A", "B")["r"][1] == pytest.approx(np.corrcoef(values[1], values[2])[0, 1], abs=2e-3)
    assert gene_expression(ev, "A")["expressed"].tolist() == [False, False]
    assert expression_note(ev, "A") == ("placed by co-expression in data sets where it is barely expressed: "
                                        "measured in 1 of 2 data sets (and in 1 centred per gene, where its level "
                                        "is unknown), below the median gene in each")
    assert expression_note(ev, "B") is None              # measured only where levels are unknown: no claim
    assert expression_words(ev, "C", None) == ("expressed in 1 of 1 data sets that keep expression levels (blood); "
                                               "measured in 2 of 2; its level unknown in gbm (centred per gene)")


def test_the_pipeline_reads_the_profiles_through_the_apps_checks(toy_bundle):
    """One reader for both: the pipeline's profiles are the app's, and a file of another build or a
    lone file is refused with the file named."""
    from gene2vec_dash.evidence import Evidence

    folder, values = toy_bundle
    profiles, rows = read_profiles(folder, EMBEDDED)
    ev = Evidence.open(folder, EMBEDDED)
    assert [p.shape for p in profiles] == [(3, 40), (2, 30)] and np.array_equal(rows, ev.rows)
    block = np.asarray(ev.profiles[ev.offsets[0]:ev.offsets[1]], dtype=np.float32).reshape(3, 40)
    np.testing.assert_array_equal(profiles[0], block)
    with pytest.raises(InputError, match="other genes") as err:
        read_profiles(folder, EMBEDDED[::-1])
    assert str(folder / INDEX) in str(err.value)
    (folder / PROFILES).unlink()
    with pytest.raises(InputError, match="unreadable"):
        read_profiles(folder, EMBEDDED)
    (folder / INDEX).unlink()
    assert read_profiles(folder, EMBEDDED) is None and Evidence.open(folder, EMBEDDED) is None


def test_a_bundle_of_evidence_format_1_still_opens(toy_bundle):
    """Bundles built before ``levels`` (format 1) held no centred data set: read as all with levels."""
    from gene2vec_dash.evidence import Evidence, gene_expression

    folder, _ = toy_bundle
    with np.load(folder / INDEX) as z:
        arrays = {k: z[k] for k in z.files if k != "levels"}
    np.savez_compressed(folder / INDEX, **{**arrays, "format": np.array(1)})
    ev = Evidence.open(folder, EMBEDDED)
    assert ev.datasets["levels"].tolist() == [True, True]
    assert gene_expression(ev, "D")["expressed"].tolist() == [False, True]


def test_pair_evidence_answers_well_within_50_ms(toy_bundle):
    from gene2vec_dash.evidence import Evidence, pair_evidence

    ev = Evidence.open(toy_bundle[0], EMBEDDED)
    pair_evidence(ev, "A", "B")
    started = time.perf_counter()
    for _ in range(20):
        pair_evidence(ev, "A", "B")
    assert (time.perf_counter() - started) / 20 < 0.05


def test_a_bundle_without_evidence_gives_empty_answers(tmp_path):
    from gene2vec_dash.evidence import (
        GENE_COLUMNS,
        Evidence,
        available,
        expression_note,
        gene_expression,
        pair_evidence,
    )

    assert Evidence.open(tmp_path, EMBEDDED) is None and not available(None)
    assert pair_evidence(None, "A", "B").empty and list(gene_expression(None, "A").columns) == GENE_COLUMNS
    assert expression_note(None, "A") is None


def test_damaged_or_foreign_evidence_is_refused_naming_the_file(toy_bundle):
    from gene2vec_dash.evidence import Evidence

    folder = toy_bundle[0]
    with pytest.raises(InputError, match="other genes"):
        Evidence.open(folder, EMBEDDED[::-1].copy())
    np.save(folder / PROFILES, np.zeros(7, np.float16))
    with pytest.raises(InputError, match="inconsistent shapes"):
        Evidence.open(folder, EMBEDDED)
    (folder / INDEX).write_bytes(b"not a zip")
    with pytest.raises(InputError, match=INDEX):
        Evidence.open(folder, EMBEDDED)


def test_the_build_writes_evidence_the_api_reads(small_bundle, inputs):
    """On the planted-module bundle: every data set the co-expression used, r as its preprocessing gives."""
    from gene2vec_dash import open_bundle
    from pipeline.bundle import read_manifest
    from pipeline.coexpression import preprocessed_sets
    from pipeline.config import load_config

    emb, config = open_bundle(small_bundle), load_config(inputs["config"])
    manifest = read_manifest(small_bundle / "manifest.json")
    assert [d["name"] for d in manifest["evidence"]["datasets"]] == [r["name"] for r in manifest["inputs"]]
    assert set(manifest["evidence"]["files"]) == {PROFILES, INDEX}
    genes = emb.genes["symbol"].tolist()
    a, b = genes[0], genes[1]
    table = emb.evidence(a, b)
    sets = list(preprocessed_sets(sorted(config.inputs), config.coexpression, config.gene_table))
    assert table["dataset"].tolist() == [d.name for d in sets]                     # no TF lists in this build
    for row, d in zip(table.itertuples(), sets):
        where = {g: k for k, g in enumerate(d.genes)}
        expected = np.corrcoef(d.values[where[a]], d.values[where[b]])[0, 1]
        assert row.r == pytest.approx(expected, abs=3e-3) and row.samples == d.values.shape[1]
    expression = emb.expression(a.lower())                                           # any case, as everywhere
    assert expression["measured"].all() and len(expression) == len(sets)
    assert emb.expression_note(a) is None or emb.expression_note(a).startswith("placed by co-expression")


def test_an_old_bundle_without_evidence_still_opens(small_bundle, tmp_path):
    import shutil

    from gene2vec_dash import open_bundle

    old = tmp_path / "old"
    shutil.copytree(small_bundle, old, ignore=shutil.ignore_patterns("evidence_*"))
    emb = open_bundle(old)
    gene = str(emb.genes["symbol"].iloc[0])
    assert emb.evidence(gene, gene).empty and emb.expression(gene).empty and emb.expression_note(gene) is None


def test_chance_r_falls_with_samples():
    from gene2vec_dash.evidence import chance_r

    r = chance_r(np.array([3, 30, 57, 252, np.nan]))
    assert r[0] == 1.0 and np.isnan(r[4])
    assert r[2] == pytest.approx(np.tanh(2.3263 / np.sqrt(54)), abs=1e-4) and r[1] > r[2] > r[3] > 0.14


def test_a_relation_co_expression_cannot_see_is_said_in_one_sentence(toy_bundle):
    """B and D share no data set; A and B are correlated in "one" (the toy's module); a pair with r
    below chance in every data set measuring both is said to lie outside co-expression too."""
    from gene2vec_dash.evidence import Evidence, coexpression_note, pair_evidence

    ev = Evidence.open(toy_bundle[0], EMBEDDED)
    assert pair_evidence(ev, "B", "D").attrs["note"] == (
        "No data set of the compendium measures both B and D, and the ARCHS4 TF lists do not pair them: "
        "co-expression cannot see this relation.")
    found = pair_evidence(ev, "A", "C")
    assert found["above_chance"].iloc[0] == (found["r"].iloc[0] > found["chance_r"].iloc[0])
    assert pd.isna(found["above_chance"].iloc[1]) and pd.isna(found["chance_r"].iloc[2])
    weak = found.assign(r=[0.05, np.nan, np.nan], above_chance=pd.array([False, None, None], dtype="boolean"))
    words = coexpression_note(weak, "A", "C")
    assert words.startswith("None of the 1 data sets that measure both A and C gives them an r above chance")
    assert words.endswith("co-expression cannot see this relation.")
    assert coexpression_note(weak.assign(above_chance=pd.array([True, None, None], dtype="boolean")), "A", "C") is None
    listed = weak.assign(in_tf_lists=pd.array([None, None, True], dtype="boolean"))
    assert coexpression_note(listed, "A", "C") is None             # ARCHS4's co-expression pairs them
