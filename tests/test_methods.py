"""The embedding methods beyond the paper's: random walks, PPMI + SVD, their combination, and
the support tiers every figure is split by."""
import numpy as np
import pytest
from scipy import sparse

from pipeline.coexpression import PairSet
from pipeline.config import ClusterednessConfig, EmbeddingConfig, NeighbourConfig
from pipeline.embedding import PairCorpus, embed
from pipeline.evaluate import clusteredness
from pipeline.ppmi import cooccurrence, ppmi, svd_vectors
from pipeline.support import cone, tier, tier_report
from pipeline.synthetic import planted_pairs
from pipeline.walks import walks


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    genes, pairs, modules = planted_pairs(n_genes=300, n_modules=15, n_pairs=20_000, within=0.9, seed=2)
    pair_set = PairSet("planted", genes, pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32),
                       np.full(len(pairs), np.nan, np.float16))
    corpus = PairCorpus.build([pair_set], tmp_path_factory.mktemp("corpus"))
    sets = {f"M{m}": list(genes[modules == m]) for m in range(15)}
    return corpus, sets


def _two_cliques() -> sparse.csr_matrix:
    block = np.ones((5, 5)) - np.eye(5)
    graph = sparse.block_diag([block, block]).tolil()
    graph[4, 5] = graph[5, 4] = 0.01            # a faint bridge
    return graph.tocsr()


def test_walks_follow_edges_by_weight_and_are_seeded():
    graph = _two_cliques()
    one = np.concatenate(list(walks(graph, 20, 3, seed=1)))
    assert one.shape == (30, 20) and np.array_equal(one, np.concatenate(list(walks(graph, 20, 3, seed=1))))
    steps = np.column_stack([one[:, :-1].ravel(), one[:, 1:].ravel()])
    assert (np.asarray(graph[steps[:, 0], steps[:, 1]]).ravel() > 0).all()        # every step is an edge
    crossing = np.mean((steps[:, 0] < 5) != (steps[:, 1] < 5))
    assert crossing < 0.02                                                         # the bridge is faint


def test_node2vec_bias_returns_more_with_small_p():
    graph = sparse.csr_matrix(np.ones((30, 30)) - np.eye(30))
    def returns(p: float) -> float:
        w = np.concatenate(list(walks(graph, 30, 2, p=p, q=1.0, seed=0)))
        return float(np.mean(w[:, 2:] == w[:, :-2]))
    assert returns(0.1) > 3 * returns(1.0) and returns(10.0) < returns(1.0)


def test_ppmi_is_positive_symmetric_and_svd_is_seeded():
    counts = cooccurrence([np.array([[0, 1], [0, 1], [1, 2], [2, 3], [3, 0]], np.int32)], 4)
    assert (counts != counts.T).nnz == 0 and counts[0, 1] == 2
    p = ppmi(counts)
    assert (p.data > 0).all() and (ppmi(counts, alpha=1.0) != ppmi(counts, alpha=1.0).T).nnz == 0
    assert np.array_equal(svd_vectors(p, 2, seed=3), svd_vectors(p, 2, seed=3))


@pytest.mark.parametrize("method, centre", [("ppmi-svd", False), ("skipgram-walks", True), ("skipgram+ppmi", True)])
def test_every_method_recovers_the_planted_modules(planted, method, centre):
    corpus, sets = planted
    config = EmbeddingConfig(method=method, centre=centre, dims=32, epochs=3, min_count=1, sample=0.0, walk_length=10,
                             walks_per_gene=4, walk_window=3, seed=0)
    emb, raw, stats = embed(corpus, config)
    assert len(emb.genes) == 300 and stats["genes_embedded"] == 300
    assert emb.vectors.shape[1] == (64 if method == "skipgram+ppmi" else 32)
    assert (raw is None) == (method == "ppmi-svd")
    clus = clusteredness(emb.genes, emb.vectors, sets, ClusterednessConfig())
    assert clus["cosine"]["pair_auc"] > 0.9


def test_tiers_and_the_cone():
    assert tier(np.array([0, 9, 10, 29, 30, 99, 100, np.nan])).tolist() == [
        "very low", "very low", "low", "low", "medium", "medium", "high", "unknown"]
    rng = np.random.default_rng(0)
    tight = np.ones((50, 8)) + 0.01 * rng.normal(size=(50, 8))
    spread = rng.normal(size=(50, 8))
    both = np.vstack([tight, spread])
    assert cone(both, np.arange(50)) > 0.9 > cone(both, np.arange(50, 100))


def test_tier_report_gives_each_tier_its_own_random_expectation(planted):
    corpus, sets = planted
    emb, _, _ = embed(corpus, EmbeddingConfig(method="ppmi-svd", dims=16, min_count=1))
    contexts = corpus.counts[np.searchsorted(corpus.vocab, emb.genes)]
    contexts[:40] = 3                                                    # pretend some genes are rarely seen
    report = tier_report(emb.genes, emb.vectors, contexts, sets, NeighbourConfig(queries=100))
    assert report["very low"]["genes"] == 40 and report["very low"]["queries"] == 40
    assert sum(t["genes"] for t in report.values()) == 300
    for t in report.values():
        if t["queries"]:
            assert 0 < t["random"] < t["precision"] <= 1


def test_all_but_the_top_removes_the_shared_direction_of_rare_genes():
    """Rare genes that share one direction (a cone) stop being each other's neighbours once the top
    principal direction is projected out; the vectors of the others keep their structure."""
    from pipeline.embedding import postprocess

    rng = np.random.default_rng(1)
    spread = rng.normal(size=(200, 16))
    rare = np.full((60, 16), 3.0) + 0.3 * rng.normal(size=(60, 16))
    x = np.vstack([spread, rare]) + 5.0                        # and a common offset for every gene
    rows = np.arange(200, 260)
    assert cone(x, rows) > 0.9
    centred, cleaned = postprocess(x, True, 0), postprocess(x, True, 1)
    assert abs(centred.mean(axis=0)).max() < 1e-4 and cone(cleaned, rows) < 0.5
    unit = (x - x.mean(0)) / np.linalg.norm(x - x.mean(0), axis=1, keepdims=True)
    assert np.allclose(cleaned @ np.linalg.svd(unit - unit.mean(0), full_matrices=False)[2][0], 0, atol=1e-3)
    assert np.array_equal(postprocess(x, True, 1), cleaned)    # deterministic
    with pytest.raises(Exception, match="remove_top"):
        EmbeddingConfig(remove_top=200)
