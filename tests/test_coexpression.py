import json

import numpy as np
import pytest

from pipeline.coexpression import PairSet, correlated_pairs, load_pair_sets, run_coexpression, standardise
from pipeline.config import CoexpressionConfig
from pipeline.errors import InputError
from pipeline.synthetic import planted_expression


def brute_force(values, threshold):
    r = np.corrcoef(values)
    i, j = np.triu_indices(len(values), k=1)
    keep = r[i, j] >= threshold
    return set(zip(i[keep].tolist(), j[keep].tolist())), r


@pytest.mark.parametrize("block_rows", [0, 1, 7, 64])
def test_blocked_correlation_matches_numpy(block_rows):
    values, _, _ = planted_expression(n_modules=5, module_size=12, n_samples=30, n_background=25, seed=3)
    expected, r = brute_force(values, 0.8)
    i, j, rr = correlated_pairs(values, 0.8, block_rows=block_rows)
    assert set(zip(i.tolist(), j.tolist())) == expected
    assert (i < j).all() and i.dtype == np.int32 and rr.dtype == np.float32
    assert np.allclose(rr, r[i, j], atol=1e-5)


def test_top_k_keeps_each_genes_best_partners_only():
    values, _, _ = planted_expression(n_modules=4, module_size=15, n_samples=40, n_background=20, seed=4)
    i, j, r = correlated_pairs(values, 0.3, top_k=3)
    full = np.corrcoef(values)
    np.fill_diagonal(full, -np.inf)
    best = np.argsort(-full, axis=1)[:, :3]
    for a, b in zip(i, j):
        assert b in best[a] or a in best[b]
        assert full[a, b] >= 0.3 - 1e-6
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i)            # no duplicates


def test_constant_rows_are_refused():
    with pytest.raises(InputError, match="constant"):
        standardise(np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]))


def test_pair_file_round_trip(tmp_path):
    ps = PairSet("x", np.array(["A", "B", "C"]), np.array([0, 1], np.int32), np.array([1, 2], np.int32),
                 np.array([0.95, 0.91], np.float16))
    ps.save(tmp_path / "x", key="abc")
    back = PairSet.load(tmp_path / "x")
    assert list(back.gene_pairs()) == [("A", "B"), ("B", "C")]
    assert PairSet.stored_key(tmp_path / "x") == "abc"
    (tmp_path / "x.pairs.npy").write_bytes(b"truncated")
    assert PairSet.stored_key(tmp_path / "x") is None
    with pytest.raises(InputError, match="not a complete pair set"):
        PairSet.load(tmp_path / "x")


def _flip_last_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x7F                              # same size: only the checksum can tell
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("part", [".pairs.npy", ".r.npy"])
def test_a_same_size_damaged_pair_file_is_refused_naming_it(tmp_path, part):
    ps = PairSet("x", np.array(["A", "B", "C"]), np.array([0, 1], np.int32), np.array([1, 2], np.int32),
                 np.array([0.95, 0.91], np.float16))
    ps.save(tmp_path / "x", key="abc")
    _flip_last_byte(tmp_path / f"x{part}")
    with pytest.raises(InputError) as err:
        PairSet.load(tmp_path / "x")
    assert str(err.value).startswith(f"{tmp_path / f'x{part}'}: damaged: its CRC-32 differs")
    if part == ".pairs.npy":
        assert PairSet.stored_key(tmp_path / "x") is None          # a resumed run recomputes it


def test_a_pair_set_of_an_older_format_is_refused(tmp_path):
    PairSet("x", np.array(["A", "B"]), np.array([0], np.int32), np.array([1], np.int32),
            np.array([0.95], np.float16)).save(tmp_path / "x", key="abc")
    meta = dict(np.load(tmp_path / "x.meta.npz"))
    np.savez(tmp_path / "x.meta.npz", **{**meta, "format": np.array(2)})
    with pytest.raises(InputError, match="pair set of format 2, this program reads 3: rerun coexpress"):
        PairSet.load(tmp_path / "x")
    assert PairSet.stored_key(tmp_path / "x") is None


def test_run_skips_small_sets_and_resumes(inputs, tmp_path):
    paths = [inputs["expression0"], inputs["expression1"], inputs["expression2"]]
    config = CoexpressionConfig(threshold=0.9, min_samples=30)
    genes = str(inputs["gene_info"])
    first = run_coexpression(paths, tmp_path, config, gene_table=genes)
    assert [r["name"] for r in first["datasets_used"]] == ["set0", "set1"]
    assert first["datasets_skipped"][0]["reason"] == "only 12 samples (< 30)"
    assert first["pairs"] > 300 and first["genes"] > 100
    again = run_coexpression(paths, tmp_path, config, gene_table=genes)
    assert all(r.get("cached") for r in again["datasets_used"])
    assert again["pairs"] == first["pairs"]
    assert len(load_pair_sets(tmp_path)) == 2
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["config"]["threshold"] == 0.9


@pytest.mark.parametrize("damage", ["garbage", "same size"])
def test_a_damaged_pair_file_is_recomputed(inputs, tmp_path, damage):
    config, genes = CoexpressionConfig(), str(inputs["gene_info"])
    first = run_coexpression([inputs["expression0"]], tmp_path, config, gene_table=genes)
    path = tmp_path / (first["datasets_used"][0]["file"] + ".pairs.npy")
    if damage == "garbage":
        path.write_bytes(b"garbage")
    else:
        _flip_last_byte(path)                     # was: reused, then an IndexError traceback
    again = run_coexpression([inputs["expression0"]], tmp_path, config, gene_table=genes)
    assert not again["datasets_used"][0].get("cached")
    assert again["pairs"] == first["pairs"] and again["genes"] == first["genes"]


@pytest.mark.slow
def test_schedulers_give_the_same_pairs(inputs, tmp_path):
    paths = [inputs["expression0"], inputs["expression1"]]
    results = {}
    for scheduler in ("threads", "processes", "dask"):
        run_coexpression(paths, tmp_path / scheduler, CoexpressionConfig(), scheduler=scheduler, workers=2,
                         gene_table=str(inputs["gene_info"]))
        results[scheduler] = [sorted(ps.gene_pairs()) for ps in load_pair_sets(tmp_path / scheduler)]
    assert results["threads"] == results["processes"] == results["dask"]
    assert sum(map(len, results["threads"])) > 300


def test_unknown_scheduler_and_missing_input(inputs, tmp_path):
    with pytest.raises(InputError, match="scheduler"):
        run_coexpression([inputs["expression0"]], tmp_path, CoexpressionConfig(), scheduler="mpi")
    with pytest.raises(InputError, match="not found"):
        run_coexpression([tmp_path / "nope.tsv"], tmp_path, CoexpressionConfig())


def test_config_validates_threshold():
    with pytest.raises(InputError, match="threshold"):
        CoexpressionConfig(threshold=1.5)
    with pytest.raises(InputError, match="threshold"):
        CoexpressionConfig(threshold=0.0)
