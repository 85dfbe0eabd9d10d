import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.preprocess import (
    collapse_to_genes,
    log2_cpm,
    log2_intensities,
    needs_log2,
    preprocess,
    quantile_normalise,
)
from pipeline.sources.expression import ExpressionSet


def test_log_detection_follows_geo2r():
    rng = np.random.default_rng(0)
    log_values = rng.normal(8, 2, size=(500, 10))
    assert not needs_log2(log_values)
    assert needs_log2(2.0 ** log_values)          # MAS5-like intensities
    assert needs_log2(rng.poisson(50, size=(500, 10)).astype(float) * 10)


def test_log2_floors_noise_values():
    out = log2_intensities(np.array([[-20.0, 0.5, 1.0, 1024.0]]))
    assert out.tolist() == [[0.0, 0.0, 0.0, 10.0]]


def test_quantile_normalisation_textbook_example():
    # the classic 4 x 3 example: every column ends with the same distribution (ties share a rank)
    x = np.array([[5, 4, 3], [2, 1, 4], [3, 4, 6], [4, 2, 8]], dtype=float)
    out = quantile_normalise(x)
    reference = np.sort(x, axis=0).mean(axis=1)
    for j in (0, 2):                          # columns without ties take exactly the reference
        assert np.allclose(np.sort(out[:, j]), reference)
    assert out[0, 1] == out[2, 1]             # tied values stay tied
    assert np.allclose(out[:, 0], [5.666667, 2.0, 3.0, 4.666667], atol=1e-6)


def test_collapse_keeps_the_most_variable_probe():
    values = np.array([[1, 1, 1.1], [0, 5, 10], [3, 3, 3.5], [2, 2, 2]], dtype=float)
    genes = np.array(["B", "B", "A", "C"], dtype=object)
    out, rows = collapse_to_genes(values, genes)
    assert rows.tolist() == [2, 1, 3]        # A, B (second probe), C
    assert np.array_equal(out, values[[2, 1, 3]])


def test_counts_become_log_cpm_without_low_count_genes():
    counts = np.array([[1000, 2000, 1500], [0, 1, 0], [500, 400, 450]], dtype=float)
    values, kept = log2_cpm(counts)
    assert kept.tolist() == [True, False, True]
    cpm = counts[0, 0] / counts[:, 0].sum() * 1e6
    assert values[0, 0] == pytest.approx(np.log2(cpm + 1))


def _set(values, symbols, scale="auto"):
    features = pd.DataFrame({"symbol": symbols, "entrez": pd.array([pd.NA] * len(symbols), dtype="Int64")},
                            index=[f"p{k}" for k in range(len(symbols))])
    return ExpressionSet("t", np.asarray(values, float), features, tuple(f"s{j}" for j in range(values.shape[1])),
                         scale, "t.tsv")


def test_preprocess_reports_each_step():
    rng = np.random.default_rng(1)
    values = 2.0 ** rng.normal(8, 1, size=(6, 8))
    values[5] = 300.0                                      # constant gene
    out = preprocess(_set(values, ["A", "A", "B", None, "C", "D"]))
    assert out.genes.tolist() == ["A", "B", "C"]
    assert out.values.dtype == np.float32
    assert out.report["log2_applied"] and out.report["scale"] == "linear"
    assert out.report["features_without_gene"] == 1 and out.report["constant_features_dropped"] == 1


def test_preprocess_rejects_missing_values():
    values = np.ones((3, 4))
    values[1, 2] = np.nan
    with pytest.raises(InputError, match="missing"):
        preprocess(_set(values, ["A", "B", "C"]))
