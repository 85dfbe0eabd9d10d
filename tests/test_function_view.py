"""The predicted functions and candidates as the page says them (no browser): the words, the
callbacks' answers, and nothing at all for a bundle built without predicted functions."""
from __future__ import annotations

import json
import shutil

import pandas as pd
from fixtures import gene_names

from gene2vec_dash import create_app, ids
from gene2vec_dash.bench import request
from gene2vec_dash.function_view import across_tissues, coherence, label, note
from pipeline.bundle import FUNCTIONS


def _call(app, output, values, changed=None):
    r = app.server.test_client().post("/_dash-update-component", json=request(app, output, values, changed))
    assert r.status_code == 200, r.status_code
    return r.get_json()["response"]


def test_the_words_for_libraries_annotations_and_coherence():
    assert [label(n) for n in ("GO BP", "reactome_msigdb", "wikipathways_2023", "my_sets")] == \
        ["GO BP", "Reactome", "WikiPathways", "my sets"]
    none = pd.DataFrame({"known": [False] * 10})
    assert note("C1orf112", "GO BP", none, 0) == \
        "C1orf112 has no GO BP annotation here: every term below is predicted."
    assert "predicted terms come first" in note("X", "GO BP", none, 2)
    assert note("CDK1", "GO BP", pd.DataFrame({"known": [True] * 2 + [False] * 8}), 136).startswith(
        "2 of these 10 are among CDK1's 136 GO BP annotations")
    assert note("ALB", "GO BP", none, 20) == "None of these 10 is among ALB's 20 GO BP annotations: all are predicted."
    assert note("HBB", "GO BP", pd.DataFrame({"known": [True] * 10}), 40) == \
        "All 10 of these are among HBB's 40 GO BP annotations."
    assert coherence(0.862, 12).startswith("0.86: held-out genes of the list rank above 86% of the other genes")
    assert "nearly random" in coherence(0.55, 12) and "too few" in coherence(None, 2)
    assert across_tissues([("GTEx", 0.591, 0.998), ("HPA cells", -0.04, 0.03)]) == (
        "Across tissues, its r with the term's genes: GTEx 0.59 (above 99% of other genes); "
        "HPA cells -0.04 (above 3% of other genes).")
    assert across_tissues([("GTEx", 0.9, 1.0)]).endswith("GTEx 0.90 (above every other gene).")   # not "100%"
    assert across_tissues([]).startswith("No tissue atlas scores it")


def test_p_is_said_with_the_folds_the_build_held_genes_out_in(small_bundle):
    from gene2vec_dash.function_view import probability_words
    from gene2vec_dash.queries import MapData

    data = MapData.load(small_bundle)
    folds = data.bundle.manifest["functions"]["folds"]
    assert f"({folds}-fold cross-validation)" in probability_words(data)


def test_a_terms_tissue_support_is_the_genes_mean_r_across_an_atlas_with_its_other_genes(small_bundle):
    import numpy as np

    from gene2vec_dash.functions import tissue_support
    from gene2vec_dash.queries import MapData
    from pipeline.bundle import atlas_columns

    data = MapData.load(small_bundle)
    gene, module = predicted_in_its_module(small_bundle)
    members = data.sets.rows_of(data.sets.index_of(f"MODULE_{module}"))
    (key, columns), = atlas_columns(data.genes).items()
    z = data.genes[columns].to_numpy(np.float64, na_value=np.nan)
    scored = np.isfinite(z).all(axis=1)
    others = [m for m in members if scored[m] and m != data.row[gene]]
    unit = z / np.linalg.norm(z, axis=1, keepdims=True)
    r = np.mean([np.corrcoef(z[data.row[gene]], z[m])[0, 1] for m in others])
    (name, found, share), = tissue_support(data, gene, members)
    assert name == data.atlases[key].name and np.isclose(found, r, atol=1e-5)
    outside = np.flatnonzero(scored & ~np.isin(np.arange(len(z)), others) & (np.arange(len(z)) != data.row[gene]))
    assert np.isclose(share, np.mean(unit[outside] @ unit[others].mean(axis=0) < r), atol=1e-6)
    assert tissue_support(data, gene, members[:2]) == []            # too few of the term's genes scored


def predicted_in_its_module(bundle) -> tuple[str, int]:
    """A planted gene whose best predicted term is its own module (most are), and that module."""
    from gene2vec_dash.api import open_bundle

    emb, (names, modules) = open_bundle(bundle), gene_names()
    return next((str(g), int(m)) for g, m in zip(names, modules) if m >= 0 and str(g) in emb.genes["symbol"].values
                and emb.functions(str(g), "modules", k=1)["set"].iat[0] == f"MODULE_{m}")


def test_a_genes_terms_and_a_lists_candidates_from_the_callbacks(small_bundle):
    app = create_app(small_bundle)
    names, modules = gene_names()
    gene, module = predicted_in_its_module(small_bundle)
    got = _call(app, (ids.FUNCTIONS, "data"), {(ids.GENE, "value"): gene, (ids.FUNCTION_LIBRARY, "value"): "modules"})
    rows = got[ids.FUNCTIONS]["data"]             # one module a gene: poorly annotated, its predicted terms first
    assert [r["status"] for r in rows] == ["predicted"] * (len(rows) - 1) + ["known"]
    assert rows[-1]["term"] == f"Module {module}" and rows[-1]["percent"].endswith("%")
    assert "only 1 modules annotation here, 1 among these" in got[ids.FUNCTION_NOTE]["children"]
    assert "supported by" in got[ids.FUNCTIONS]["tooltip_data"][-1]["term"]["value"]
    assert "Across tissues, its r with the term's genes: " in got[ids.FUNCTIONS]["tooltip_data"][-1]["term"]["value"]
    assert got[ids.FUNCTIONS]["tooltip_data"][0]["status"]["value"].endswith(
        "predicted from its neighbours and its co-expression in the data sets and the tissue atlases")
    for bad in ("NOPE", None, ["x"]):                   # an unknown or tampered gene hides the section
        hidden = _call(app, (ids.FUNCTIONS, "data"), {(ids.GENE, "value"): bad, (ids.FUNCTION_LIBRARY, "value"): "x"})
        assert hidden[ids.FUNCTION_SECTION]["style"] == {"display": "none"}
    module = [str(n) for n in names[modules == 5]]
    got = _call(app, (ids.CANDIDATES, "data"), {(ids.LIST_GENES, "data"): module[:10]})
    assert len(set(r["symbol"] for r in got[ids.CANDIDATES]["data"][:10]) & set(module[10:])) >= 8
    assert "held-out genes" in json.dumps(got[ids.CANDIDATE_SUMMARY]["children"])


def test_a_bundle_without_predicted_functions_shows_none(small_bundle, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(small_bundle, bare, ignore=shutil.ignore_patterns(FUNCTIONS))
    app = create_app(bare)
    assert ids.FUNCTION_SECTION not in json.dumps(app.layout.to_plotly_json(), default=str)
    assert not any(ids.FUNCTIONS + "." in key for key in app.callback_map)


def test_a_low_support_genes_terms_are_greyed_under_the_caution(small_bundle, tmp_path):
    from fixtures import with_high_support

    from gene2vec_dash.tables import LOW_STYLE

    bundle = with_high_support(small_bundle, tmp_path)
    genes = pd.read_parquet(bundle / "genes.parquet").set_index("symbol")["support"]
    app = create_app(bundle)
    for gene, low in ((genes[genes == "high"].index[0], False), (genes[genes != "high"].index[0], True)):
        got = _call(app, (ids.FUNCTIONS, "data"), {(ids.GENE, "value"): gene, (ids.FUNCTION_LIBRARY, "value"): "GO BP"})
        assert (got[ids.FUNCTIONS]["style_data"] == LOW_STYLE) == low
        caution = json.dumps(got[ids.FUNCTION_CAUTION]["children"])
        assert ("its predicted functions are" in caution and "genes marked" not in caution) == low
