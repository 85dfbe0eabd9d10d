"""Per-data-set co-expression features (PrismEXP's idea): out of fold, and they find a planted module."""
import numpy as np
import pytest
from scipy import sparse

from pipeline import function_profiles as P
from pipeline import functions as F


def _planted(seed=0, n=500, terms=12, samples=(30, 45, 60), rate=0.06):
    """Random vectors; profiles where each term's members share a factor in every data set measuring
    them, a quarter of the genes missing from each data set."""
    rng = np.random.default_rng(seed)
    member = rng.random((n, terms)) < rate
    profiles, rows = [], np.full((len(samples), n), -1, np.int32)
    for d, s in enumerate(samples):
        values = member @ rng.standard_normal((terms, s)) + 1.5 * rng.standard_normal((n, s))
        measured = np.flatnonzero(rng.random(n) < 0.75)
        x = values[measured] - values[measured].mean(axis=1, keepdims=True)
        profiles.append((x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32))
        rows[d, measured] = np.arange(len(measured))
    members = sparse.csr_matrix(member.astype(np.float32))
    return rng.standard_normal((n, 8)).astype(np.float32), members, (profiles, rows)


def _expression(vectors, members, profiles, group="expression"):
    p = F.fit_predictor(vectors, members, F.neighbours(vectors, 10), profiles={group: profiles}, block=64)
    out = {}
    for _, rows in F.blocks(np.arange(len(vectors)), p.folds, 64):
        found = p.features(rows)
        out.update({g: (*(found[c][k] for c, in P.summary_columns(group)), p.combine(rows, found)[0][k])
                    for k, g in enumerate(rows)})
    return p, [np.stack([out[g][i] for g in range(len(vectors))]) for i in range(4)]


def _auc(scores, known):
    order = np.argsort(scores)
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    pos = known.sum()
    return (ranks[known].sum() - pos * (pos + 1) / 2) / (pos * (len(known) - pos))


@pytest.mark.parametrize("group", ["expression", "tissue"])
def test_a_genes_own_membership_never_raises_its_per_data_set_score(group):
    vectors, members, profiles = _planted()
    p, full = _expression(vectors, members, profiles, group)
    fold0 = p.folds == 0
    blind = sparse.csr_matrix(members.multiply(~fold0[:, None]))       # fold 0's memberships removed
    _, without = _expression(vectors, blind, profiles, group)
    for a, b in zip(full[:3], without[:3]):
        assert np.allclose(a[fold0], b[fold0], atol=1e-5)
        assert not np.allclose(a[~fold0], b[~fold0], atol=1e-3)          # the labels do count elsewhere
    assert p.columns == F.COMBINER + P.group_columns(group, 3)


def test_a_planted_co_expression_module_is_found_and_lifts_the_combined_model():
    vectors, members, profiles = _planted()
    known = members.toarray() > 0
    _, (mean, best, ridge, combined) = _expression(vectors, members, profiles)
    assert min(_auc(mean[:, t], known[:, t]) for t in range(known.shape[1])) > 0.85
    assert np.mean([_auc(best[:, t], known[:, t]) for t in range(known.shape[1])]) > 0.8
    assert np.mean([_auc(ridge[:, t], known[:, t]) for t in range(known.shape[1])]) > 0.8
    vector_only = F.fit_predictor(vectors, members, F.neighbours(vectors, 10), block=64)
    assert vector_only.profiles == {} and vector_only.columns == F.COMBINER
    alone = np.vstack([vector_only.score(rows)[0] for _, rows in F.blocks(np.arange(len(vectors)), vector_only.folds,
                                                                             64)])
    order = np.concatenate([rows for _, rows in F.blocks(np.arange(len(vectors)), vector_only.folds, 64)])
    alone = alone[np.argsort(order)]
    lifted = np.mean([_auc(combined[:, t], known[:, t]) for t in range(known.shape[1])])
    assert lifted > 0.85 and lifted > np.mean([_auc(alone[:, t], known[:, t]) for t in range(known.shape[1])]) + 0.2


def test_a_gene_measured_nowhere_scores_zero():
    vectors, members, profiles = _planted()
    rows = profiles[1].copy()
    rows[:, 3] = -1
    model = P.fit_profiles((profiles[0], rows), members, np.arange(100, 500))
    found = P.profile_scores((profiles[0], rows), np.array([3, 4]), model)
    assert all((found[c][0] == 0).all() for c in ("expression_mean", "expression_max", "expression_ridge",
                                                  "expression_0_mean", "expression_2_ridge"))
    assert np.abs(found["expression_mean"][1]).max() > 0


def test_each_data_set_has_its_own_columns_whose_mean_is_the_summary():
    vectors, members, (profiles, rows) = _planted()
    model = P.fit_profiles((profiles, rows), members, np.arange(100, 500))
    genes = np.arange(20)
    found = P.profile_scores((profiles, rows), genes, model)
    measured = rows[:, genes] >= 0
    for k in ("mean", "ridge"):
        each = np.stack([found[f"expression_{d}_{k}"] for d in range(3)])
        assert (each[~measured] == 0).all() and np.abs(each[measured]).max() > 0
        assert np.allclose(each.sum(axis=0) / np.maximum(measured.sum(axis=0), 1)[:, None], found[f"expression_{k}"],
                           atol=1e-5)
    some = measured.any(axis=0)
    best = np.where(measured[..., None], np.stack([found[f"expression_{d}_mean"] for d in range(3)]), -np.inf).max(axis=0)
    assert some.sum() > 15 and np.allclose(best[some], found["expression_max"][some], atol=1e-6)


def test_an_atlas_z_table_becomes_unit_profiles_whose_products_are_pearson_r():
    rng = np.random.default_rng(3)
    logx = rng.random((6, 9)) * 5
    z = (logx - logx.mean(axis=1, keepdims=True)) / logx.std(axis=1, keepdims=True)
    z[2] = np.nan                                            # below the floor everywhere: not scored
    other = rng.standard_normal((6, 4))
    (first, second), rows = P.tissue_profiles([z, other])
    assert rows[0].tolist() == [0, 1, -1, 2, 3, 4] and rows[1].tolist() == list(range(6))
    assert np.isclose(first[rows[0, 0]] @ first[rows[0, 3]], np.corrcoef(logx[0], logx[3])[0, 1], atol=1e-6)
    assert np.allclose(np.linalg.norm(second, axis=1), 1, atol=1e-6)
    assert P.tissue_profiles([]) is None


def test_each_group_of_profiles_has_its_own_columns_and_a_planted_tissue_module_lifts_the_model():
    vectors, members, profiles = _planted()
    rng = np.random.default_rng(5)                 # an atlas of 40 tissues where each term's members share a factor
    known = members.toarray() > 0
    values = known @ rng.standard_normal((known.shape[1], 40)) + 1.5 * rng.standard_normal((len(known), 40))
    z = (values - values.mean(axis=1, keepdims=True)) / values.std(axis=1, keepdims=True)
    groups = {"expression": profiles, "tissue": P.tissue_profiles([z])}
    p = F.fit_predictor(vectors, members, F.neighbours(vectors, 10), profiles=groups, block=64,
                        folds=5)          # five: fold 0 then holds members of every planted term
    assert p.columns == F.COMBINER + P.group_columns("expression", 3) + P.group_columns("tissue", 1)
    found = p.features(np.flatnonzero(p.folds == 0))
    assert {"tissue_mean", "tissue_max", "tissue_ridge"} <= set(found)
    rows = np.flatnonzero(p.folds == 0)
    assert np.mean([_auc(found["tissue_mean"][:, t], known[rows, t]) for t in range(known.shape[1])]) > 0.8


def test_the_evaluation_grades_the_model_without_the_embedding_beside_it():
    from pipeline.function_eval import evaluate_library

    vectors, members, profiles = _planted(n=600, terms=30, rate=0.25)   # noise vectors; the profiles carry the terms
    genes = np.array([f"G{i}" for i in range(len(vectors))])
    known = members.toarray() > 0
    sets = {f"T{t}": list(genes[known[:, t]]) for t in range(known.shape[1])}
    r = evaluate_library(genes, vectors, sets, 5, 500, sample=300, profiles={"expression": profiles})
    alone, noise = r["profiles_alone"]["gene_centric"], r["random_vectors"]["gene_centric"]
    assert alone["combined"] > noise["combined"] + 0.1          # what the profiles give without the vectors
    assert abs(alone["combined"] - r["gene_centric"]["combined"]) < 0.05   # noise vectors add nothing to it
    assert "profiles_alone" not in evaluate_library(genes, vectors, sets, 5, 500, sample=300)
