import subprocess
import sys

import pytest

from pipeline.cli import build_parser, main

COMMANDS = [["build"], ["coexpress"], ["evaluate"], ["evaluate", "clusteredness"], ["ggipnn"], ["demo-data"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_expected_errors_are_one_line_with_status_2(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("gene\ts1\nA\tx\n")
    done = subprocess.run([sys.executable, "-m", "pipeline", "coexpress", "--inputs", str(bad), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: no usable data set") and "bad.tsv: non-numeric value 'x'" in last
    assert not (tmp_path / "out").exists()


def test_threshold_outside_range_is_refused(tmp_path, capsys):
    assert main(["coexpress", "--inputs", "x.tsv", "--out", str(tmp_path), "--threshold", "1.5"]) == 2
    assert capsys.readouterr().err.strip() == "error: threshold must be in (0, 1], got 1.5"


def test_coexpress_json_summary(inputs, tmp_path, capsys):
    import json

    code = main(["coexpress", "--inputs", str(inputs["expression0"]), str(inputs["expression2"]), "--out",
                 str(tmp_path), "--gene-table", str(inputs["gene_info"]), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"datasets_used", "datasets_skipped", "pairs", "genes"}
    assert result["datasets_skipped"][0]["reason"] == "only 12 samples (< 30)"


def test_clusteredness_command(small_bundle, inputs, capsys):
    import json

    assert main(["evaluate", "clusteredness", "--embedding", str(small_bundle / "embedding.w2v.txt"),
                 "--gmt", str(inputs["gmt"]), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["cosine"]["ratio"] > 1.3 and result["sets_used"] == 10


def test_demo_compendium_is_intact(capsys):
    assert main(["demo-data"]) == 0
    assert "all checksums match" in capsys.readouterr().out


def test_evaluate_pairs_uses_the_bundles_own_settings(small_bundle, capsys):
    """The additive baseline retrained with the bundle's pair-model settings and seed reproduces the
    figure the build recorded."""
    import json

    from pipeline.bundle import read_bundle

    assert main(["evaluate", "pairs", "--bundle", str(small_bundle), "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert "top-10 P spread" in out and "ECE" in out
    recorded = read_bundle(small_bundle).manifest["metrics"]["pairs"]
    assert result["baselines"]["additive"]["auc"] == pytest.approx(recorded["additive"]["auc"], abs=1e-6)
    assert result["pair_model"]["test_auc"] == pytest.approx(recorded["pair_model"]["auc"], abs=1e-6)
    again, built = result["pair_model"]["calibration"], recorded["pair_model"]["calibration"]       # issue 30
    for key in ("ece", "ece_before", "auc", "top10_spread", "top10_spread_before"):
        assert again[key] == pytest.approx(built[key], abs=1e-4), key
