"""Every damaged bundle file is one InputError naming that file, never a traceback, whether the
pipeline reads the bundle or the app loads it (and the app never serves a NaN vector)."""
import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.bundle import read_bundle
from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _manifest(change):
    def damage(folder: Path) -> None:
        path = folder / "manifest.json"
        manifest = json.loads(path.read_text())
        path.write_text(json.dumps(change(manifest)))
    return damage


def _set(key, value, inner=None):
    def change(m):
        if inner:
            m[key][inner] = value
        else:
            m[key] = value
        return m
    return change


def _vectors(change):
    def damage(folder: Path) -> None:
        vectors = np.load(folder / "embedding.npy")
        np.save(folder / "embedding.npy", change(vectors), allow_pickle=True)
    return damage


def _genes(change):
    def damage(folder: Path) -> None:
        change(pd.read_parquet(folder / "genes.parquet")).to_parquet(folder / "genes.parquet", index=False)
    return damage


def _bytes(name: str, content: bytes):
    return lambda folder: (folder / name).write_bytes(content)


def _truncate(name: str, keep: float):
    def damage(folder: Path) -> None:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[:int(len(data) * keep)])
    return damage


def _pairs(change):
    def damage(folder: Path) -> None:
        import torch

        payload = torch.load(folder / "pairs.pt", weights_only=True)
        torch.save(change(payload), folder / "pairs.pt")
    return damage


class _Boom:
    def __reduce__(self):
        return (print, ("a pickle ran",))


def _deep(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = {"a": value}
    return value


def _first(section: dict) -> dict:
    return next(iter(section.values()))


def _forged_header(folder: Path) -> None:
    """An .npy whose header claims 10^10 x 200 floats (8 TB) in a file of a few hundred bytes."""
    with open(folder / "embedding.npy", "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f4", "fortran_order": False, "shape": (10**10, 200)})
        fh.write(b"\0" * 64)


def _tensor(values):
    import torch

    return torch.tensor(values)


def _nan_row(v):
    v = v.copy()
    v[3, 0] = np.nan
    return v


def _drop(m, key):
    m.pop(key)
    return m


# case: (how the bundle is damaged, the file the one-line error names, words it must contain)
CASES = {
    "embedding.npy truncated": (_truncate("embedding.npy", 0.5), "embedding.npy", "not a NumPy array"),
    "embedding.npy garbage": (_bytes("embedding.npy", b"\x00garbage" * 100), "embedding.npy", "not a NumPy"),
    "embedding.npy object array": (_vectors(lambda v: v.astype(object)), "embedding.npy", "not a NumPy"),
    "embedding.npy 1-D": (_vectors(lambda v: v[:, 0].copy()), "embedding.npy", "not genes x dims"),
    "embedding.npy integers": (_vectors(lambda v: (v * 100).astype(np.int32)), "embedding.npy", "not genes x dims"),
    "embedding.npy header 10^10 x 200": (_forged_header, "embedding.npy", "10000000000 x 200 float32 is"),
    "embedding.npy NaN": (_vectors(_nan_row), "embedding.npy", "NaN or infinity"),
    "embedding.npy rows": (_vectors(lambda v: v[:-5]), "embedding.npy", "vectors but embedding.genes.txt lists"),
    "genes.txt not UTF-8": (_bytes("embedding.genes.txt", b"A\n\xff\xfe\n"), "embedding.genes.txt", "UTF-8"),
    "genes.txt duplicate": (lambda f: (f / "embedding.genes.txt").write_text(
        "\n".join(["G010"] * 2 + (f / "embedding.genes.txt").read_text().split("\n")[2:])), "embedding.genes.txt",
        "listed twice"),
    "manifest list": (_bytes("manifest.json", b"[1, 2]"), "manifest.json", "not an object"),
    "manifest null": (_bytes("manifest.json", b"null"), "manifest.json", "not an object"),
    "manifest not JSON": (_bytes("manifest.json", b"{nope"), "manifest.json", "not valid JSON"),
    "manifest not UTF-8": (_bytes("manifest.json", b"{\"a\": \"\xff\"}"), "manifest.json", "not valid JSON"),
    "version as text": (_manifest(_set("version", "2")), "manifest.json", "'2' is not a whole number"),
    "format": (_manifest(_set("format", "something else")), "manifest.json", "format is"),
    "annotations junk": (_manifest(_set("annotations", "junk")), "manifest.json",
                         "'annotations' is text, not a JSON object"),
    "metrics junk": (_manifest(_set("metrics", [1, 2])), "manifest.json", "'metrics' is a JSON list"),
    "a metric junk": (_manifest(_set("metrics", 5, "layout")), "manifest.json",
                     "'metrics.layout' is a whole number, not a JSON object"),
    "atlases junk": (_manifest(_set("annotations", "junk", "atlases")), "manifest.json",
                     "'annotations.atlases' is text"),
    "atlases list of numbers": (_manifest(_set("annotations", [1, 2], "atlases")), "manifest.json",
                                "'annotations.atlases[0]' is a whole number"),
    "atlas z_limit text": (_manifest(lambda m: {**m, "annotations": {**m["annotations"], "atlases": [
        {**m["annotations"]["atlases"][0], "z_limit": "big"}]}}), "manifest.json", "z_limit' is text, not a number"),
    "inputs junk": (_manifest(_set("inputs", [1, 2])), "manifest.json", "'inputs[0]' is a whole number"),
    "config junk": (_manifest(_set("config", 3)), "manifest.json", "'config' is a whole number"),
    "manifest nested 100,000 levels": (_bytes("manifest.json", b"[" * 100_000 + b"]" * 100_000), "manifest.json",
                                       "nested too deeply"),
    "manifest nested 40 levels": (_manifest(_set("notes", _deep(40))), "manifest.json", "levels deep (at most 16)"),
    "counts as text": (_manifest(_set("counts", "lots", "pairs")), "manifest.json",
                       "'counts.pairs' is text, not a number"),
    "counts unknown key as text": (_manifest(_set("counts", "many", "frobs")), "manifest.json",
                                   "'counts.frobs' is text"),
    "a figure as text": (_manifest(lambda m: _first(m["metrics"]["neighbours"]).__setitem__("k", "ten") or m),
                         "manifest.json", ".k' is text, not a whole number"),
    "a figure's part missing": (_manifest(lambda m: _first(m["metrics"]["neighbours"]).pop("embedding") and m),
                                "manifest.json", "lacks 'embedding'"),
    "support tiers differ": (_manifest(lambda m: m["metrics"]["support"].__setitem__("other.gmt", {
        "odd": {"genes": 1, "cone": 0.5}}) or m), "manifest.json", "other support tiers"),
    "an input without samples": (_manifest(lambda m: m["inputs"][0].pop("samples") and m), "manifest.json",
                                 "'inputs[0]' lacks 'samples'"),
    "embedding dims as text": (_manifest(_set("config", {"embedding": {"dims": "200"}})), "manifest.json",
                               "'config.embedding.dims' is text"),
    "genes.parquet garbage": (_bytes("genes.parquet", b"PAR1garbage"), "genes.parquet", "unreadable"),
    "genes.parquet truncated": (_truncate("genes.parquet", 0.6), "genes.parquet", "unreadable"),
    "genes.parquet x as text": (_genes(lambda g: g.assign(x=g["x"].astype(str))), "genes.parquet", "'x' is"),
    "genes.parquet tissue as text": (_genes(lambda g: g.assign(**{"tissue:gtex_median_tpm:liver": "high"})),
                                     "genes.parquet", "not numbers"),
    "genes.parquet x infinite": (_genes(lambda g: g.assign(x=np.inf)), "genes.parquet", "finite"),
    "genes.parquet column": (_genes(lambda g: g.drop(columns="display_class")), "genes.parquet",
                             "lacks columns ['display_class']"),
    "genes.parquet order": (_genes(lambda g: g.iloc[::-1]), "genes.parquet", "another order"),
    "gene_sets.parquet without gene": (lambda f: pd.read_parquet(f / "gene_sets.parquet").drop(columns="gene")
                                       .to_parquet(f / "gene_sets.parquet"), "gene_sets.parquet", "lacks columns"),
    "gene_sets.parquet garbage": (_bytes("gene_sets.parquet", b"junk"), "gene_sets.parquet", "unreadable"),
    "pairs.pt list": (_pairs(lambda p: [1, 2, 3]), "pairs.pt", "not a pair model"),
    "pairs.pt missing keys": (_pairs(lambda p: {k: v for k, v in p.items() if k != "encoder"}), "pairs.pt",
                              "lacks ['encoder']"),
    "pairs.pt unknown setting": (_pairs(lambda p: {**p, "config": {**p["config"], "widht": 3}}), "pairs.pt",
                                 "does not fit"),
    "pairs.pt mismatched weights": (_pairs(lambda p: {**p, "config": {**p["config"], "hidden": 7}}), "pairs.pt",
                                    "does not fit"),
    "pairs.pt other dims": (_pairs(lambda p: {**p, "dims": 5}), "pairs.pt", "5-dimensional"),
    "pairs.pt NaN weights": (_pairs(lambda p: {**p, "encoder": {k: v * float("nan") for k, v in p["encoder"].items()}}),
                             "pairs.pt", "hold NaN or infinity"),
    "pairs.pt dims a tensor": (_pairs(lambda p: {**p, "dims": _tensor([p["dims"]] * 2)}), "pairs.pt",
                               "'dims' is a Tensor, not a whole number"),
    "pairs.pt config a list": (_pairs(lambda p: {**p, "config": [1]}), "pairs.pt", "must be dictionaries"),
    "pairs.pt calibration of other genes": (_pairs(lambda p: {**p, "calibration": {
        **p["calibration"], "knots": p["calibration"]["knots"][:-1]}}), "pairs.pt", "calibration covers"),
    "pairs.pt calibration NaN": (_pairs(lambda p: {**p, "calibration": {**p["calibration"],
                                                                         "intercept": float("nan")}}),
                                 "pairs.pt", "calibration is damaged"),
    "pairs.pt calibration a list": (_pairs(lambda p: {**p, "calibration": [1]}), "pairs.pt", "calibration is damaged"),
    "genes.parquet unknown support": (_genes(lambda g: g.assign(support="enormous")), "genes.parquet",
                                      "'enormous', not a support tier"),
    "pairs.pt raw pickle": (_bytes("pairs.pt", pickle.dumps({"format": _Boom()})), "pairs.pt", "not a pair model"),
    "pairs.pt garbage": (_bytes("pairs.pt", b"garbage"), "pairs.pt", "not a pair model"),
    "functions.parquet garbage": (_bytes("functions.parquet", b"PAR1junk"), "functions.parquet", "unreadable"),
    "functions.parquet gene rows": (lambda f: pd.read_parquet(f / "functions.parquet").assign(gene=10**6)
                                    .to_parquet(f / "functions.parquet"), "functions.parquet", "gene rows outside"),
    "functions.parquet without known": (lambda f: pd.read_parquet(f / "functions.parquet").drop(columns="known")
                                        .to_parquet(f / "functions.parquet"), "functions.parquet", "lacks columns"),
}


@pytest.fixture(scope="module")
def damaged(small_bundle, tmp_path_factory):
    """One damaged copy of the small bundle per case."""
    root = tmp_path_factory.mktemp("damaged")
    out = {}
    for case, (damage, _, _) in CASES.items():
        folder = root / case.replace(" ", "_")
        shutil.copytree(small_bundle, folder)
        damage(folder)
        out[case] = folder
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_bundle_is_one_line_naming_the_file(case, damaged, capsys):
    from gene2vec_dash import create_app

    _, name, words = CASES[case]
    with pytest.raises(InputError) as error:
        create_app(damaged[case])                      # what `python app.py --bundle` does first
    message = str(error.value)
    assert "\n" not in message and words in message and message.split(":")[0].endswith(name), message
    assert len(message) < 300
    assert "a pickle ran" not in capsys.readouterr().out


def test_the_pipeline_reads_bundles_with_the_same_checks(damaged):
    for case in ("embedding.npy NaN", "manifest list", "genes.parquet x as text"):
        with pytest.raises(InputError, match=CASES[case][1]):
            read_bundle(damaged[case])


@pytest.mark.slow
@pytest.mark.parametrize("case", ["embedding.npy object array", "pairs.pt raw pickle", "version as text"])
def test_the_app_refuses_to_start_with_one_line_and_status_2(case, damaged):
    done = subprocess.run([sys.executable, "app.py", "--bundle", str(damaged[case])], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "warn" not in done.stderr.lower()
    assert done.stderr.strip().count("\n") == 0 and CASES[case][2] in done.stderr


@pytest.mark.parametrize("case", ["counts as text", "a figure's part missing", "manifest nested 40 levels"])
def test_a_damaged_compared_bundle_is_one_line_too(case, damaged, small_bundle):
    from gene2vec_dash import create_app

    with pytest.raises(InputError) as error:
        create_app(small_bundle, [damaged[case]])       # python app.py --compare
    assert str(error.value).startswith(str(damaged[case] / "manifest.json")) and CASES[case][2] in str(error.value)
