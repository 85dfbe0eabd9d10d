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
    assert np.isnan(mean_pairwise(x[:1]))                  # no pair: no mean


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


# --- neighbours, the co-expression baseline, tissue patterns ----------------------------------

def _planted_vectors(modules: int = 20, size: int = 15, dims: int = 16, noise: float = 0.35, seed: int = 0):
    """Genes of a module share a direction; one gene set per module (the right answers)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(modules, dims))
    label = np.repeat(np.arange(modules), size)
    vectors = (centres[label] + noise * rng.normal(size=(len(label), dims))).astype(np.float32)
    genes = np.array([f"G{k:04d}" for k in range(len(label))])
    return genes, vectors, {f"M{m}": list(genes[label == m]) for m in range(modules)}, label


def test_neighbour_precision_recovers_planted_modules():
    from pipeline.config import NeighbourConfig
    from pipeline.evaluate import neighbour_report

    genes, vectors, sets, _ = _planted_vectors()
    report = neighbour_report(genes, vectors, sets, NeighbourConfig(k=10, queries=100))
    emb = report["embedding"]
    assert emb["precision"] > 0.8 and emb["random"] == pytest.approx(14 / 299, abs=1e-3)
    assert emb["lift"] > 15 and report["queries"] == 100 and report["sets"] == 20
    shuffled = neighbour_report(genes, np.random.default_rng(1).permutation(vectors), sets,
                                NeighbourConfig(k=10, queries=100))
    assert shuffled["embedding"]["precision"] < 0.15          # no structure: about the random rate


def test_fisher_z_similarity_streams_data_sets_and_skips_unmeasured_genes():
    from pipeline.evaluate import fisher_z_similarity

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 40)), rng.normal(size=(2, 30))
    sets = [(np.array(["A", "B", "C"]), a), (np.array(["A", "D"]), b)]
    genes = np.array(["A", "B", "C", "D", "E"])
    z = fisher_z_similarity(iter(sets), genes, rows=np.array([0, 4]))
    r_ab = np.corrcoef(a)[0, 1]
    assert z[0, 1] == pytest.approx(np.arctanh(r_ab), rel=1e-4)             # measured in one set
    assert z[0, 3] == pytest.approx(np.arctanh(np.corrcoef(b)[0, 1]), rel=1e-4)
    assert np.isinf(z[1]).all() and z.shape == (2, 5)                        # E: in no data set


def test_coexpression_baseline_in_the_clusteredness_cli(small_bundle, inputs, capsys):
    import json

    from pipeline.cli import main

    assert main(["evaluate", "clusteredness", "--bundle", str(small_bundle), "--gmt", str(inputs["gmt"]),
                 "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert result["cosine"]["pair_auc"] > 0.9 and result["coexpression"]["pair_auc"] > 0.9
    assert any("raw co-expression" in line for line in out)


def test_neighbours_cli_on_a_bundle_with_its_data_sets(small_bundle, inputs, capsys):
    import json

    from pipeline.cli import main

    assert main(["evaluate", "neighbours", "--bundle", str(small_bundle), "--gmt", str(inputs["gmt"]),
                 "--queries", "50", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    report = json.loads(out[-1])["modules.gmt"]
    assert report["embedding"]["precision"] > 0.8 > 0.2 > report["embedding"]["random"]
    assert report["coexpression"]["precision"] > 0.8                   # planted modules: both find them
    assert any(line.startswith("neighbours vs modules.gmt") for line in out)
    tiers = report["support"]                                          # a bundle knows each gene's contexts
    assert sum(t["genes"] for t in tiers.values()) == report["genes"]
    assert any(line.strip().startswith("support very low") for line in out)
    assert main(["evaluate", "neighbours", "--embedding", str(small_bundle / "embedding.w2v.txt"),
                 "--gmt", str(inputs["gmt"])]) == 0
    assert "no expression data sets" in capsys.readouterr().out


def test_neighbours_cli_refuses_a_k_beyond_the_genes(small_bundle, inputs, capsys):
    """Refused, not clamped: a precision@k for a k other than the one asked would be misread."""
    from pipeline.cli import main

    embedding = small_bundle / "embedding.w2v.txt"
    assert main(["evaluate", "neighbours", "--embedding", str(embedding), "--gmt", str(inputs["gmt"]),
                 "--k", "100000"]) == 2
    captured = capsys.readouterr()
    genes = int(embedding.read_text().split()[0])                # the word2vec header: genes, dims
    expected = f"error: {embedding}: --k 100000 needs more than 100000 genes; the embedding has {genes}"
    assert captured.err.strip() == expected
    assert "precision@" not in captured.out


def test_no_usable_set_names_the_gene_set_file():
    from pipeline.evaluate import neighbour_report

    with pytest.raises(InputError, match="^sets.gmt: no gene set has 2-50"):
        clusteredness(np.array(["A", "B"]), np.eye(2, dtype=np.float32), {"x": ["A", "Q"]}, sets_file="sets.gmt")
    with pytest.raises(InputError, match="^sets.gmt: no gene set has 5-200"):
        neighbour_report(np.array(["A", "B"]), np.eye(2, dtype=np.float32), {"x": ["A", "Q"]}, sets_file="sets.gmt")


def test_tissue_patterns_against_random_genes_of_matched_number():
    import pandas as pd

    from pipeline.evaluate import cosine_neighbours, map_neighbours, tissue_patterns

    genes, vectors, _, label = _planted_vectors()
    z = pd.DataFrame({"liver": np.where(label == 0, 3.0, -0.2), "brain": np.where(label % 2 == 1, 2.5, 0.0),
                      "none": np.zeros(len(label))})
    xy = vectors[:, :2]
    out = tissue_patterns(z, map_neighbours(xy, 10), cosine_neighbours(vectors, 10), min_genes=10)
    assert out["liver"]["specific_genes"] == 15 and out["liver"]["embedding_ratio"] > 10
    assert out["brain"]["embedding"] > out["brain"]["embedding_random"]
    assert out["none"] == {"specific_genes": 0}


def test_cosine_neighbours_in_blocks_match_brute_force():
    from pipeline.evaluate import cosine_neighbours

    x = np.random.default_rng(3).normal(size=(50, 6)).astype(np.float32)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    assert np.array_equal(cosine_neighbours(x, 5, block=7), np.argsort(-sims, axis=1)[:, :5])
