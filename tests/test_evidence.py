"""The evidence behind a pair and a gene: per-data-set profiles whose dot product is Pearson's r,
expression per data set, the ARCHS4 TF-list pairs; the files, their reader, and a bundle without them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.evidence import condition, dataset_evidence, tf_list_pairs
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
