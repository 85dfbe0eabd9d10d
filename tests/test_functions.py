"""Function prediction on a planted-structure embedding: similarity beats the size prior; shuffled labels score ~0.5."""
from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse
from scipy.stats import rankdata

from pipeline import functions as F
from pipeline.function_calibration import calibrate


def _planted(seed=0, n=600, terms=30, dims=16):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((terms, dims))
    member = rng.random((n, terms)) < np.linspace(0.02, 0.2, terms)
    vectors = (member @ centres + 0.5 * rng.standard_normal((n, dims))).astype(np.float32)
    genes = np.array([f"G{i}" for i in range(n)])
    sets = {f"T{t}": list(genes[member[:, t]]) for t in range(terms)}
    return genes, vectors, sets


def _gene_auc(vectors, genes, sets):
    m, _ = F.membership(genes, sets, 5, 500)
    ann = np.asarray(m.sum(1)).ravel() > 0
    u, folds = F.unit(vectors), F.gene_folds(len(genes), 5, 0)
    models = F.fit_folds(u, m, folds, ann)
    rows = np.flatnonzero(np.asarray(m.sum(1)).ravel() >= 2)
    z = np.zeros((len(rows), m.shape[1]))
    for f, r in F.blocks(rows, folds, 64):
        z[np.searchsorted(rows, r)] = F.features(u, r, models[f], np.zeros((len(r), m.shape[1])))["zscore"]
    y = m[rows].toarray() > 0
    ranks = rankdata(z, axis=1)
    p = y.sum(1)
    return (((ranks * y).sum(1) - p * (p + 1) / 2) / (p * (y.shape[1] - p))).mean()


def test_planted_structure_scores_and_shuffle_does_not():
    genes, vectors, sets = _planted()
    assert _gene_auc(vectors, genes, sets) > 0.8
    shuffled = np.random.default_rng(1).permutation(genes)
    remap = dict(zip(genes, shuffled))
    assert abs(_gene_auc(vectors, genes, {k: [remap[g] for g in v] for k, v in sets.items()}) - 0.5) < 0.05


def test_the_evaluation_grades_similarity_above_its_baselines_and_not_shuffled_labels():
    from pipeline.function_eval import evaluate_library

    genes, vectors, sets = _planted(n=800)
    r = evaluate_library(genes, vectors, sets, 5, 500, sample=400, seed=0)
    assert r["genes_sampled"] == 400 and r["genes_graded"] > 50
    assert r["gene_centric"]["zscore"] > 0.8 and r["gene_centric"]["z_logsize"] > r["gene_centric"]["size_prior"]
    assert abs(r["random_vectors"]["gene_centric"]["zscore"] - 0.5) < 0.08       # no signal in noise
    assert abs(r["shuffled_labels"]["gene_centric"]["zscore"] - 0.5) < 0.08      # none through the labels
    each = r["shuffled_labels"]["term_centric_each"]
    assert len(each) == 5 and len(set(each)) == 5 and abs(np.mean(each) - 0.5) < 0.05   # five permutations
    term = r["term_centric"]
    assert term["zscore"] > max(term["multifunctionality"], term["degree_learned"])


def test_evaluate_functions_prints_each_library_beside_its_baselines(small_bundle, capsys):
    from pipeline.cli import main

    assert main(["evaluate", "functions", "--bundle", str(small_bundle), "--sample", "50", "--json"]) == 0
    out = capsys.readouterr().out
    assert "term-size prior" in out and "multifunctionality" in out and "random vec." in out
    assert "coexpression" in out and "top-10 precision" in out and "ECE" in out and "support" in out
    assert "expression_ridge" in out and "tissue_ridge" in out   # the data sets' and atlases' features, alone too
    assert "without the embedding (random vectors, the same profiles)" in out
    assert main(["evaluate", "functions", "--bundle", str(small_bundle), "--sample", "3"]) == 2


def _predicted(vectors, members, method, folds=5, block=97):
    near = F.neighbours(vectors, 20)
    out = [(r, s, p) for r, s, p in F.predict(vectors, members, near, method=method, folds=folds, block=block)]
    rows = np.concatenate([r for r, _, _ in out])
    order = np.argsort(rows)
    return rows[order], np.vstack([s for _, s, _ in out])[order], np.vstack([p for _, _, p in out])[order]


def test_predict_covers_every_gene_once_and_a_folds_own_labels_never_score_it():
    genes, vectors, sets = _planted()
    m, _ = F.membership(genes, sets, 5, 500)
    rows, scores, prob = _predicted(vectors, m, "z_logsize")
    assert np.array_equal(rows, np.arange(len(genes))) and scores.dtype == np.float32
    assert ((prob >= 0) & (prob <= 1)).all()
    fold0 = F.gene_folds(len(genes), 5, 0) == 0
    blind = sparse.csr_matrix(m.multiply(~fold0[:, None]))          # fold 0's memberships removed
    for method in ("zscore", "knn", "ridge"):
        _, a, _ = _predicted(vectors, m, method)
        _, b, _ = _predicted(vectors, blind, method)
        assert np.allclose(a[fold0], b[fold0], atol=1e-5), method
        assert not np.allclose(a[~fold0], b[~fold0], atol=1e-3), method      # the labels do count elsewhere
    _, a, _ = _predicted(vectors, m, "z_logsize")
    _, b, _ = _predicted(vectors, blind, "z_logsize")
    shift = a[fold0] - b[fold0]                    # only the library's term sizes moved: one shift per term
    assert np.allclose(shift, shift[0], atol=1e-4) and np.abs(shift).max() > 1e-3


def test_a_gene_alone_in_a_term_gets_no_signal_from_itself():
    genes, vectors, sets = _planted()
    m, _ = F.membership(genes, sets, 5, 500)
    lone = sparse.hstack([m, sparse.csr_matrix(([1.0], ([7], [0])), shape=(len(genes), 1))]).tocsr()
    rows, scores, _ = _predicted(vectors, lone, "combined")
    folds = F.gene_folds(len(genes), 5, 0)
    same = folds == folds[7]
    assert (scores[same, -1] >= scores[7, -1] - 1e-6).mean() > 0.2    # not singled out among its fold
    assert np.argsort(-scores[:, -1])[0] != 7


def test_the_probability_is_monotone_calibrated_and_ranks_members_first():
    genes, vectors, sets = _planted(n=900)
    m, _ = F.membership(genes, sets, 5, 500)
    for method in ("z_logsize", "combined"):
        _, scores, prob = _predicted(vectors, m, method)
        known = m.toarray() > 0
        assert prob[known].mean() > 3 * prob[~known].mean(), method
        folds = F.gene_folds(len(genes), 5, 0)
        for f in range(5):                                                   # one map per fold, each monotone
            order = np.argsort(scores[folds == f].ravel())
            assert (np.diff(prob[folds == f].ravel()[order]) >= -1e-6).all()
        bins = np.minimum((prob * 10).astype(int), 9).ravel()
        ece = sum(abs(prob.ravel()[bins == k].mean() - known.ravel()[bins == k].mean()) * (bins == k).sum()
                  for k in range(10) if (bins == k).any()) / bins.size
        assert ece < 0.02, (method, ece)


def test_the_strongest_predictions_are_calibrated_too():
    """Sparse labels (200 terms): the top 200 predictions are ~80% members; bins of equal numbers of
    pairs alone put them in one bin with far weaker ones and said 64%."""
    genes, vectors, sets = _planted(n=2000, terms=200)
    m, _ = F.membership(genes, sets, 5, 500)
    _, scores, prob = _predicted(vectors, m, "combined")
    best = np.argsort(-scores.ravel())[:200]
    rate = (m.toarray() > 0).ravel()[best].mean()
    assert rate > 0.6 and abs(prob.ravel()[best].mean() - rate) < 0.06


def test_a_bin_without_a_sampled_non_member_is_not_certain():
    """500 members scored highest and no sampled non-member among them (each stands for 50 pairs):
    the top is read together with the bin below that brings its 5th sampled non-member, not as 1."""
    rng = np.random.default_rng(0)
    scores = np.r_[rng.normal(0, 1, 5000), rng.normal(5, 0.1, 500)]
    known = np.r_[np.zeros(5000), np.ones(500)]
    weight = np.r_[np.full(5000, 50.0), np.ones(500)]
    p = calibrate(scores, known, weight)(np.array([5.2, 0.0], np.float32))
    assert 0.2 < p[0] < 0.9 and p[1] < 0.01


def test_the_combined_model_beats_the_one_liner_on_planted_hubs():
    genes, vectors, sets = _planted(n=900)
    m, _ = F.membership(genes, sets, 5, 500)
    known = m.toarray() > 0
    rows = np.flatnonzero(known.sum(1) >= 2)
    auc = {}
    for method in ("z_logsize", "combined"):
        _, scores, _ = _predicted(vectors, m, method)
        ranks = rankdata(scores[rows], axis=1)
        y, p = known[rows], known[rows].sum(1)
        auc[method] = (((ranks * y).sum(1) - p * (p + 1) / 2) / (p * (y.shape[1] - p))).mean()
    assert auc["combined"] > auc["z_logsize"] - 0.01 and auc["combined"] > 0.8


def test_predict_refuses_a_library_too_small_to_learn_from():
    import pytest

    genes, vectors, _ = _planted(n=100)
    m, _ = F.membership(genes, {"T": list(genes[:3])}, 1, 500)
    with pytest.raises(ValueError, match="too few"):
        next(F.predict(vectors, m, F.neighbours(vectors, 5)))


def _term_auc(scores, known):
    ranks = rankdata(scores, axis=0)
    p, q = known.sum(0), len(known) - known.sum(0)
    return ((((ranks * known).sum(0) - p * (p + 1) / 2) / np.maximum(p * q, 1))[p >= 3]).mean()


def test_breadth_lifts_the_ranking_of_genes_within_a_term(monkeypatch):
    """A fifth of the genes are in 30% of the terms, the rest in 2%, and no direction of the vectors
    tells which (the term centres are centred): the vector's linear multifunctionality (degree) is
    blind to them, while how strongly a gene resembles all terms at once (breadth) re-ranks genes
    within each term."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((60, 32))
    centres -= centres.mean(axis=0)
    hubs = rng.random(900) < 0.2
    member = rng.random((900, 60)) < np.where(hubs, 0.3, 0.02)[:, None]
    vectors = (member @ centres + 0.5 * rng.standard_normal((900, 32))).astype(np.float32)
    m = sparse.csr_matrix(member.astype(np.float32))
    ann = member.any(axis=1)
    _, scores, _ = _predicted(vectors, m, "combined")
    monkeypatch.setattr(F, "COMBINER", tuple(c for c in F.COMBINER if "breadth" not in c))
    _, without, _ = _predicted(vectors, m, "combined")
    assert _term_auc(scores[ann], member[ann]) > _term_auc(without[ann], member[ann]) + 0.005


def test_a_bundle_built_before_the_atlases_is_scored_without_them():
    from types import SimpleNamespace

    from pipeline.commands import bundle_functions_config

    def built(functions):
        return SimpleNamespace(manifest={"config": {"functions": functions}})
    assert not bundle_functions_config(built({"folds": 5})).tissues           # its stage never read them
    assert bundle_functions_config(built({"folds": 5, "tissues": True})).tissues
    assert bundle_functions_config(built({"folds": 5})).folds == 5             # graded as it was built
    assert bundle_functions_config(SimpleNamespace(manifest={})).folds == F.FOLDS


def test_the_stackers_logistic_reaches_one_optimum_from_any_start():
    """Each fold's fit starts from the last fold's optimum; plain Newton from a far start diverges
    on nearly separable pairs, the halved steps do not."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 5))
    y = (x[:, 0] + 0.3 * x[:, 1] + 0.2 * rng.standard_normal(400) > 0).astype(float)
    w = np.ones(400)
    cold = F.logistic(x, y, w)
    for start in (cold, np.full(6, 40.0), np.array([-300.0, 500, -80, 20, 0, 9])):
        assert np.allclose(F.logistic(x, y, w, start=start), cold, atol=1e-3)
    p = 1 / (1 + np.exp(-(np.c_[x, np.ones(400)] @ cold)))
    assert np.abs(np.c_[x, np.ones(400)].T @ (p - y) + 1e-3 * cold).max() < 1e-3      # the gradient is 0 there


def test_the_coannotation_is_the_lift_of_the_terms_that_go_with_a_genes_likely_terms():
    """Against the terms x terms reference: for each term, the weighted mean over the gene's other
    terms of P(term | that term) among the training genes, over the term's rate there; a term's own
    probability never enters its own value."""
    train = sparse.csr_matrix(np.array([[1, 1, 1], [1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1]],
                                       np.float32))                     # A and B always together, C apart
    probability = np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.9], [0.5, 0.5, 0.5]], np.float32)
    got = F.coannotation(probability, train)
    m = train.toarray()
    given = (m.T @ m) / m.sum(axis=0)[:, None]                           # given[a, t] = P(t | a)
    q = probability.astype(np.float64) ** F.POWER
    want = np.empty_like(got)
    for t in range(3):
        other = np.arange(3) != t
        shared = (q[:, other] * given[other, t]).sum(axis=1) / q[:, other].sum(axis=1)
        want[:, t] = np.log((shared + 1e-6) / (m[:, t].mean() + 1e-6))
    np.testing.assert_allclose(got, want, atol=2e-4)                     # float32, as the stage computes it
    assert got[0, 1] > 0 > got[0, 2] and got[1, 0] < 0                   # A likely: B rises, C falls
    moved = probability.copy()
    moved[0, 1] = 0.8
    assert F.coannotation(moved, train)[0, 1] == pytest.approx(got[0, 1], abs=1e-4)


def test_the_second_stage_weighs_its_columns_then_adds_the_intercept():
    """The score reads the coefficients as fitted: one weight per :func:`second_columns` column, the
    intercept last; a coefficient vector of another length is an error, not a silent cut."""
    first, shared = np.array([[0.5, -1.0]], np.float32), np.array([[2.0, 0.0]], np.float32)
    logsize = np.array([1.0, 3.0], np.float32)
    stage = F.SecondStage(np.zeros(2, np.float32), np.ones(2, np.float32), [np.arange(1, 6, dtype=np.float32)], [])
    expected = 1 * first + 2 * shared + 3 * shared * logsize + 4 * first * logsize + 5
    np.testing.assert_allclose(stage.score(first, shared, logsize, 0), expected, rtol=1e-6)
    with pytest.raises(ValueError):
        replace(stage, coef=[np.ones(4, np.float32)]).score(first, shared, logsize, 0)


def test_the_second_stage_is_fitted_per_fold_from_the_other_folds_genes():
    genes, vectors, sets = _planted(n=800)
    m, _ = F.membership(genes, sets, 5, 500)
    p = F.fit_predictor(vectors, m, F.neighbours(vectors, 20), folds=5)
    assert p.second is not None and len(p.second.coef) == len(p.second.calibration) == 5
    for f in range(5):
        outside = p.annotated & (p.folds != f)
        assert (p.training(f) != m[np.flatnonzero(outside)]).nnz == 0      # a fold's own labels never enter
    rows = np.flatnonzero(p.folds == 0)
    first = replace(p, second=None).score(rows)[0]
    assert not np.allclose(p.score(rows)[0], first)

