import json

import numpy as np
import pandas as pd
import pytest

from pipeline.bundle import VERSION, read_bundle, tissue_column, write_bundle
from pipeline.embedding import Embedding
from pipeline.errors import InputError


def _parts(n=5):
    genes = np.array([f"G{k}" for k in range(n)])
    frame = pd.DataFrame({"symbol": genes, "entrez": pd.array(range(n), dtype="Int64"), "ensembl": "",
                          "type_of_gene": "protein-coding", "gene_type": "protein_coding",
                          "display_class": "protein-coding", "description": "d", "x": 0.0, "y": 1.0,
                          tissue_column("gtex", "Liver"): 1.0, tissue_column("gtex", "Heart"): 0.5,
                          tissue_column("hpa_cell", "T-cells"): 2.0})
    return frame, Embedding(genes, np.ones((n, 3), np.float32))


def test_round_trip(tmp_path):
    frame, emb = _parts()
    write_bundle(tmp_path / "b", {"config": {"seed": 1}}, frame, emb)
    bundle = read_bundle(tmp_path / "b")
    assert bundle.manifest["config"] == {"seed": 1} and bundle.manifest["version"] == VERSION
    assert "numpy" in bundle.manifest["packages"] and bundle.vectors.shape == (5, 3)
    assert bundle.atlases == {"gtex": ["Liver", "Heart"], "hpa_cell": ["T-cells"]}


def test_interrupted_write_leaves_the_old_bundle(tmp_path):
    frame, emb = _parts()
    write_bundle(tmp_path / "b", {"run": 1}, frame, emb)

    def crash(folder):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_bundle(tmp_path / "b", {"run": 2}, frame, emb, extra=crash)
    assert read_bundle(tmp_path / "b").manifest["run"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["b"]                # no temporary folder left


def test_refuses_to_overwrite_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("precious")
    frame, emb = _parts()
    with pytest.raises(InputError, match="not a bundle"):
        write_bundle(tmp_path / "docs", {}, frame, emb)
    assert (tmp_path / "docs" / "thesis.tex").read_text() == "precious"


@pytest.mark.parametrize("damage, problem", [
    (lambda b: (b / "manifest.json").write_text(json.dumps({**json.loads((b / "manifest.json").read_text()),
                                                            "version": 99})), "newer than this program"),
    (lambda b: (b / "manifest.json").write_text("{"), "not valid JSON"),
    (lambda b: (b / "embedding.npy").unlink(), "missing embedding.npy"),
    (lambda b: pd.read_parquet(b / "genes.parquet").drop(columns="x").to_parquet(b / "genes.parquet"), "lacks columns"),
    (lambda b: (b / "embedding.genes.txt").write_text("A\nB\nC\nD\nE\n"), "different genes"),
    (lambda b: (b / "genes.parquet").write_bytes(b"junk"), "unreadable"),
])
def test_damaged_bundles_are_reported(tmp_path, damage, problem):
    frame, emb = _parts()
    write_bundle(tmp_path / "b", {}, frame, emb)
    damage(tmp_path / "b")
    with pytest.raises(InputError, match=problem):
        read_bundle(tmp_path / "b")


def test_check_tells_the_same_results_from_different_ones(small_bundle, tmp_path, capsys):
    """Issue 32, F20: a copy whose manifest and pair model record another run (time, timings) holds
    the same results, though not the same bytes; a changed vector does not."""
    import shutil

    import torch

    from pipeline.cli import main

    again = tmp_path / "again"
    shutil.copytree(small_bundle, again)
    manifest = json.loads((again / "manifest.json").read_text())
    manifest.update(created="2030-01-01T00:00:00+00:00", timings={k: 99.0 for k in manifest["timings"]})
    (again / "manifest.json").write_text(json.dumps(manifest))
    model = torch.load(again / "pairs.pt", weights_only=True)
    torch.save({**model, "metrics": {**model["metrics"], "seconds": 12.3}}, again / "pairs.pt")
    assert (again / "pairs.pt").read_bytes() != (small_bundle / "pairs.pt").read_bytes()
    assert main(["check", str(small_bundle), str(again)]) == 0
    assert "the same results" in capsys.readouterr().out

    vectors = np.load(again / "embedding.npy")
    vectors[3, 1] += 1e-3
    np.save(again / "embedding.npy", vectors)
    manifest["counts"]["pairs"] += 1
    (again / "manifest.json").write_text(json.dumps(manifest))
    assert main(["check", str(small_bundle), str(again)]) == 1
    out = capsys.readouterr().out
    assert "embedding.npy: the arrays differ" in out and "manifest.json: counts.pairs:" in out
