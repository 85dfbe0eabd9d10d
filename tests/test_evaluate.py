import numpy as np
import pytest

from pipeline.config import ClusterednessConfig
from pipeline.errors import InputError
from pipeline.evaluate import clusteredness, mean_pairwise, set_indices
from pipeline.sources.genesets import read_gmt


def test_mean_pairwise_matches_brute_force():
    x = np.random.default_rng(0).normal(size=(7, 5))
    brute = np.mean([x[i] @ x[j] for i in range(7) for j in range(7) if i != j])
    assert mean_pairwise(x) == pytest.approx(brute)


def test_set_sizes_count_genes_with_a_vector():
    genes = np.array(["A", "B", "C", "D"])
    sets = {"two": ["A", "X", "B"], "one": ["C", "Y"], "big": ["A", "B", "C", "D"]}
    out = set_indices(genes, sets, ClusterednessConfig(max_set_size=3))
    assert list(out) == ["two"] and out["two"].tolist() == [0, 1]


def test_clusteredness_of_hand_made_vectors():
    genes = np.array(["A", "B", "C", "D"])
    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [-1, 0]], dtype=np.float32)
    result = clusteredness(genes, vectors, {"AB": ["A", "B"]}, ClusterednessConfig(random_genes=4))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    within = unit[0] @ unit[1]
    random = mean_pairwise(unit)
    assert result["cosine"]["within"] == pytest.approx(within)
    assert result["cosine"]["ratio"] == pytest.approx(within / random)
    assert result["inner_product"]["within"] == pytest.approx(1.0)
    assert result["sets_used"] == 1


def test_no_usable_set_is_an_error():
    with pytest.raises(InputError, match="no gene set"):
        clusteredness(np.array(["A", "B"]), np.eye(2, dtype=np.float32), {"x": ["A", "Q"]})


def test_gmt_keeps_the_last_gene_of_each_line(tmp_path):
    # the authors' reader kept the newline on the last gene, dropping it from every set
    path = tmp_path / "s.gmt"
    path.write_text("SET1\tdesc\tA\tB\r\nSET2\thttp://x\tC\tD \n\n")
    assert read_gmt(path) == {"SET1": ["A", "B"], "SET2": ["C", "D"]}


@pytest.mark.parametrize("text, problem", [("SET1\tonly-description\n", "needs a name"),
                                           ("S\td\tA\nS\td\tB\n", "appears twice"), ("", "no gene sets")])
def test_bad_gmt(tmp_path, text, problem):
    path = tmp_path / "bad.gmt"
    path.write_text(text)
    with pytest.raises(InputError, match=problem):
        read_gmt(path)
