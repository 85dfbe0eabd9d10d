"""The benchmarks in their CI-sized form: they run end to end, compare against a baseline measured
in the same run on the same data, and report the figures the issues ask for. Speed ratios are
printed, not asserted (timed assertions are flaky on a shared 2-core runner); results are."""
import json
import shutil

import pytest

from pipeline.cli import main


def run_bench(what: str, capsys) -> dict:
    assert main(["bench", what, "--quick", "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_coexpression_bench_agrees_with_pandas(capsys):
    result = run_bench("coexpression", capsys)
    small, large = result["small"], result["large"]
    assert small["pairs_ours"] == small["pairs_pandas"] > 0      # same answer as the baseline
    assert small["speedup_vs_pandas"] > 0 and large["ratio_to_gemm"] > 0 and large["peak_mb"] > 0
    assert result["compendium_projection"]["datasets"] == 984 and result["compendium_projection"]["hours"] > 0


@pytest.mark.slow
def test_embedding_bench_ours_against_the_authors_approach(capsys):
    result = run_bench("embedding", capsys)
    runs = {(r["method"], r["size"]) for r in result["runs"]}
    assert runs == {("authors", 200_000), ("ours", 200_000), ("ours", 400_000)}
    first = {r["method"]: r for r in result["runs"] if r["size"] == 200_000}
    assert first["ours"]["pairs"] == first["authors"]["pairs"]        # the same pairs, after min_count
    assert first["ours"]["clusteredness_cosine"] > 1.5                 # the planted modules are recovered
    assert first["ours"]["clusteredness_cosine"] >= first["authors"]["clusteredness_cosine"]
    assert result["speedup_pairs_per_s"] > 0 and first["ours"]["peak_above_start_mb"] > 0


@pytest.mark.slow
def test_layout_bench_reports_speed_and_quality(capsys):
    result = run_bench("layout", capsys)
    assert result["genes"] == 3000 and result["seconds"] > 0 and result["speedup_vs_sklearn"] > 0
    assert 0 < result["ours_small_kl"] < 2 and 0 < result["sklearn_small_kl"] < 2
    assert result["ours_small_10nn_kept"] > 0.3 and result["sklearn_small_10nn_kept"] > 0.3
    assert result["ours_1000_iterations"]["seconds"] > 0


@pytest.mark.slow
def test_app_bench_runs_the_app_in_its_own_process(capsys):
    from gene2vec_dash.bench import summary

    result = run_bench("app", capsys)
    assert result["genes"] == 3000 and result["gene_sets"] == 1000
    assert set(result["server_ms"]) == {"neighbours", "pair", "partners", "enrichment", "profile"}
    assert all(t["p95"] >= t["p50"] > 0 for t in result["server_ms"].values())
    assert "gunicorn: 8 clients, 200 requests, 0 failures" in summary(result)       # the readable form
    assert "flask_threaded: 8 clients, 200 requests, 0 failures" in summary(result)


@pytest.mark.slow
def test_app_bench_times_a_built_bundle_with_its_evidence(small_bundle, capsys):
    """A built bundle's pair answer carries the per-data-set evidence, its gene card a tissue profile."""
    assert (small_bundle / "evidence_profiles.npy").exists()
    assert main(["bench", "app", "--bundle", str(small_bundle), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["bundle"] == str(small_bundle) and result["genes"] > 100
    assert all(t["p95"] >= t["p50"] > 0 for t in result["server_ms"].values())
    assert result["concurrent"]["gunicorn"]["failures"] == 0


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver not installed")
def test_browser_bench_times_each_action_beside_the_renderers_floor(capsys):
    from gene2vec_dash.bench_browser import summary

    assert main(["bench", "browser", "--quick", "--tries", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["genes"] == 3000 and 0 < result["layout_bytes"] < 3000 * 60       # ~20 bytes a gene
    timed = [result["first_paint"], result["recolour"]["class_to_tissue"], result["recolour"]["tissue_to_tissue"],
             result["search"], result["box_selection"], result["pasted_500"]]
    assert all(t["failed"] == 0 and t["p95_ms"] >= t["median_ms"] > 0 for t in timed), timed
    assert result["recolour"]["floor_restyle_ms"] > 0 and result["search"]["floor_update_ms"] > 0
    assert result["search"]["server_median_ms"] > 0 and result["recolour"]["class_to_tissue"]["vs_restyle"] > 0
    assert result["box_selection"]["genes_selected_median"] > 0     # the time is read beside the genes it took
    assert "the bare restyle" in summary(result)


def test_browser_bench_without_selenium_says_what_to_install(capsys, monkeypatch):
    import importlib.util

    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "selenium" else found(name, *a))
    assert main(["bench", "browser", "--quick"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "selenium" in err and "pip install '.[bench]'" in err
    assert "Traceback" not in err
