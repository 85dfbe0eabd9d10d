"""The pair model predicts pairs, not popular genes; its baselines are measured beside it."""
import numpy as np
import pytest

from pipeline.config import PairModelConfig
from pipeline.embedding import Embedding
from pipeline.ggipnn import PairData, per_gene_auc
from pipeline.pairs import (
    PairPredictor,
    baselines,
    encoded_similarity,
    hubness,
    pair_benchmark,
    save_pair_model,
    saved_model_metrics,
)


def popular_but_pointless(n_modules=12, size=30, dims=24, pairs_per_split=(6000, 1200, 2400), seed=0,
                          matched=True):
    """Genes in modules (vector clusters); a pair interacts iff its genes share a module. Some genes
    are in far more pairs than others (popularity, heavy-tailed) and get longer vectors, neither
    related to the module. Negatives re-pair the positives' genes (every gene as many negatives as
    positives) or, with ``matched=False``, are uniform random pairs as in the paper's protocol."""
    rng = np.random.default_rng(seed)
    module = np.repeat(np.arange(n_modules), size)
    n = len(module)
    popularity = rng.pareto(1.0, size=n) + 0.05
    centres = rng.normal(size=(n_modules, dims))
    vectors = (centres[module] + 0.6 * rng.normal(size=(n, dims))) * (1 + np.log1p(popularity))[:, None]
    genes = np.array([f"g{k:04d}" for k in range(n)])
    cut = [int(0.7 * size), int(0.1 * size), size - int(0.7 * size) - int(0.1 * size)]
    split_of = np.concatenate([rng.permutation(np.repeat([0, 1, 2], cut)) for _ in range(n_modules)])
    out = []
    for k, count in enumerate(pairs_per_split):
        members = np.flatnonzero(split_of == k)
        weight = popularity[members] / popularity[members].sum()
        a = rng.choice(members, size=count, p=weight)
        b = []
        for x in a:                                              # a partner in the module, popular ones first
            mates = members[(module[members] == module[x]) & (members != x)]
            b.append(rng.choice(mates, p=popularity[mates] / popularity[mates].sum()))
        b = np.array(b)
        if matched:
            stubs = rng.permutation(np.r_[a, b])
            na, nb = stubs[0::2], stubs[1::2]
        else:
            na, nb = rng.choice(members, size=count), rng.choice(members, size=count)
        keep = (module[na] != module[nb]) & (na != nb)
        out.append(PairData(genes[np.r_[a, na[keep]]], genes[np.r_[b, nb[keep]]],
                            np.r_[np.ones(count, np.int64), np.zeros(keep.sum(), np.int64)]))
    return Embedding(genes, vectors.astype(np.float32)), dict(zip(("train", "valid", "test"), out))


CONFIG = PairModelConfig(hidden=64, out=32, max_epochs=12, patience=3, seed=0)


def test_the_pair_model_finds_pairs_where_an_additive_model_cannot():
    emb, splits = popular_but_pointless()
    model, _, figures = pair_benchmark(emb, splits, CONFIG)
    assert figures["pair_model"]["auc"] > 0.9 and figures["pair_model"]["per_gene_auc"] > 0.9
    assert abs(figures["additive"]["auc"] - 0.5) < 0.08                 # popularity is no use here
    assert abs(figures["popularity_norm"]["auc"] - 0.5) < 0.08
    assert figures["cosine"]["auc"] > 0.8 and figures["split"] == "test"


def test_with_the_papers_random_negatives_popularity_alone_scores_well():
    emb, splits = popular_but_pointless(matched=False)
    figures = baselines(emb, splits, CONFIG)
    assert figures["popularity_norm"]["auc"] > 0.75                    # the benchmark rewards popular genes,
    assert figures["popularity_norm"]["per_gene_auc"] > 0.65           # even within one gene's pairs: only
    # degree-matched negatives (the test above) take popularity out


def test_per_gene_auc_ranks_each_genes_own_pairs():
    pairs = np.array([[0, 1], [0, 2], [0, 3], [4, 5], [4, 6]])
    labels = np.array([1, 0, 0, 1, 0])
    # gene 0 ranks its positive first (AUC 1), gene 4 last (AUC 0); genes 1-3, 5, 6 have one label
    assert per_gene_auc(pairs, labels, np.array([0.9, 0.2, 0.1, 0.1, 0.8])) == pytest.approx(0.5)
    assert per_gene_auc(pairs, labels, np.array([0.9, 0.2, 0.1, 0.9, 0.8])) == pytest.approx(1.0)


def test_saved_model_and_predictor_give_the_trained_scores(tmp_path):
    emb, splits = popular_but_pointless(n_modules=4, size=20, pairs_per_split=(800, 200, 300))
    model, calibration, figures = pair_benchmark(emb, splits, CONFIG)
    save_pair_model(model.model.encoder, CONFIG, tmp_path / "pairs.pt", figures, calibration)
    again = saved_model_metrics(tmp_path / "pairs.pt", emb, splits)
    assert again["test_auc"] == pytest.approx(figures["pair_model"]["auc"], abs=1e-5)
    built = figures["pair_model"]["calibration"]
    assert again["calibration"]["ece"] == built["ece"] and again["calibration"]["top10_spread"] == built["top10_spread"]
    assert built["ece"] < 0.1 and built["auc"] > built["auc_before"] - 0.02 and "platt" in built
    predictor = PairPredictor(tmp_path / "pairs.pt", emb.vectors)
    index = emb.index()
    a, b = index[splits["test"].genes_a[0]], index[splits["test"].genes_b[0]]
    p = predictor.probability(a)
    assert p.shape == (len(emb.genes),) and p[b] == pytest.approx(predictor.probability(b)[a], rel=1e-5)  # symmetric
    assert 0 < p.min() and p.max() < 1
    (tmp_path / "junk.pt").write_bytes(b"junk")
    from pipeline.errors import InputError

    with pytest.raises(InputError, match="not a pair model"):
        PairPredictor(tmp_path / "junk.pt", emb.vectors)
    with pytest.raises(InputError, match="expects 24-dimensional"):
        PairPredictor(tmp_path / "pairs.pt", emb.vectors[:, :5])
    with pytest.raises(InputError, match="calibration covers 80 genes, the embedding has 79"):
        PairPredictor(tmp_path / "pairs.pt", emb.vectors[:-1])
    hubs = hubness(encoded_similarity(predictor), emb.genes, queries=30)
    assert hubs["distinct"] > 60 and hubs["max_share"] <= 1.0


def test_ranks_read_from_knots_match_the_exact_ranks():
    """A gene's rank among another's partners, read from 1, 2, 4, ... knots in log rank, is exact at
    the knots and within a factor of 2 between them; the gene itself is left out."""
    from pipeline.pair_calibration import knot_ranks, log_rank, rank_knots

    rng = np.random.default_rng(1)
    codes = rng.normal(size=(300, 8))
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    ranks = knot_ranks(300)
    assert ranks.tolist() == [1, 2, 4, 8, 16, 32, 64, 128, 256, 299]
    knots = rank_knots(codes, codes, np.arange(300), batch=64)
    s = codes[0] @ codes.T
    s[0] = -np.inf
    order = np.argsort(-s)
    assert knots[0] == pytest.approx(s[order[ranks - 1]], abs=1e-6)
    exact = np.arange(1, 300)
    read = np.exp(log_rank(knots[0], ranks, s[order[:-1]].astype(np.float64)))
    assert read[ranks[:-1] - 1] == pytest.approx(ranks[:-1], rel=1e-6)
    assert (read / exact).max() < 2 and (exact / read).max() < 2


def test_calibration_spreads_p_by_how_specific_a_partner_is():
    """Two partners of a gene with one score: the one that ranks the gene first among its own gets
    the higher P when the fitted weight of the mutual rank says specific partners are likelier."""
    from pipeline.pair_calibration import MutualRankCalibration, knot_ranks, rank_knots

    rng = np.random.default_rng(3)
    codes = rng.normal(size=(200, 6))
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    ranks = knot_ranks(200)
    calibration = MutualRankCalibration((2.0, -0.3), 0.5, ranks, rank_knots(codes, codes, np.arange(200)))
    p = calibration.probability(codes, 0, np.arange(200))
    assert p == pytest.approx([calibration.probability(codes, b, np.array([0]))[0] for b in range(200)], rel=1e-9)
    s = codes @ codes[0]
    flat = 1 / (1 + np.exp(-(2.0 * s + 0.5)))                   # no rank term: P follows the score alone
    top = np.argsort(-np.where(np.arange(200) == 0, -np.inf, p))[:10]
    assert np.ptp(p[top]) > np.ptp(np.sort(flat[1:])[-10:])
