"""GEO: a real SOFT file (trimmed GSE781, see tests/data/PROVENANCE.md), series matrix files, and
fetching with recorded responses (no test touches the network)."""
import gzip
import io
import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.errors import InputError
from pipeline.fetch import fetch_geo, scan_soft
from pipeline.sources import ncbi, read_expression_sets
from pipeline.sources.geo import platform_genes

GSE781 = Path(__file__).parent / "data" / "GSE781_family_trimmed.soft.gz"


def test_real_soft_file_end_to_end(tmp_path, capsys):
    sets = read_expression_sets(GSE781)
    assert [s.name for s in sets] == ["GSE781_GPL96", "GSE781_GPL97"] and all(s.shape[1] == 17 for s in sets)
    assert sets[0].features.loc["1007_s_at", "symbol"] == "DDR1"
    assert "AFFX-BioB-5_at" not in sets[0].features.index             # controls have no gene
    code = main(["coexpress", "--inputs", str(GSE781), "--out", str(tmp_path), "--min-samples", "10", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    used = {r["name"]: r for r in result["datasets_used"]}
    assert set(used) == {"GSE781_GPL96", "GSE781_GPL97"} and result["pairs"] > 100
    assert used["GSE781_GPL96"]["preprocess"]["log2_applied"]        # MAS5 values are not log2
    main(["coexpress", "--inputs", str(GSE781), "--out", str(tmp_path / "default")])
    assert "only 17 samples (< 30)" in capsys.readouterr().out


def _cut(tmp_path, text: bytes, name: str = "GSE1_family.soft"):
    path = tmp_path / name
    path.write_bytes(text)
    return path


@pytest.mark.parametrize("damage, problem", [
    ("cut inside a table", "sample GSM11830: the file ends inside its table, after 559 of 1500 rows with no "
                           "!sample_table_end"),
    ("no last table end", "sample GSM12448: the file ends inside its table, after 1500 of 1500 rows"),
    ("a table end missing", "sample GSM11805: its table has no !sample_table_end before SAMPLE = GSM11810"),
    ("a row missing", "platform GPL96: table has 1499 rows, its data_row_count says 1500"),
    ("ragged row", "not a parseable GEO SOFT file (ParserError: Error tokenizing data. C error: Expected 3 fields"),
])
def test_damaged_soft_files_name_the_file_and_the_table_in_one_line(tmp_path, damage, problem):
    """GEOparse would read the first four (probes after the cut silently dropped) and give the last
    a message of two lines."""
    text = gzip.decompress(GSE781.read_bytes())
    lines = text.split(b"\n")
    damaged = {"cut inside a table": b"\n".join(lines[:13000]),
               "no last table end": text.removesuffix(b"\n").removesuffix(b"!sample_table_end"),
               "a table end missing": text.replace(b"!sample_table_end\n", b"", 1),
               "a row missing": b"\n".join(lines[:200] + lines[201:]),
               "ragged row": text.replace(b"223786_at\t66\tA", b"223786_at\t66\tA\tX\tY", 1)}[damage]
    for path in (_cut(tmp_path, damaged), _cut(tmp_path, gzip.compress(damaged), "GSE1_family.soft.gz")):
        with pytest.raises(InputError) as err:
            read_expression_sets(path)
        assert str(err.value).startswith(f"{path}: ") and problem in str(err.value) and "\n" not in str(err.value)


def test_multi_gene_probes_are_dropped():
    table = pd.DataFrame({"ID": ["a", "b", "c", "d"], "Gene Symbol": ["TP53", "A /// B", "", "MDM2"],
                          "ENTREZ_GENE_ID": ["7157", "1 /// 2", "", "4193"]})
    genes = platform_genes(table)
    assert genes.index.tolist() == ["a", "d"] and genes["entrez"].tolist() == [7157, 4193]
    with pytest.raises(InputError, match="no gene symbol or Entrez column"):
        platform_genes(pd.DataFrame({"ID": ["a"], "SEQUENCE": ["ACGT"]}), "GPL1.annot")


def _series_matrix(tmp_path, rows, samples=("GSM1", "GSM2", "GSM3"), platform="GPL96"):
    lines = ['!Series_geo_accession\t"GSE999"', f'!Series_platform_id\t"{platform}"',
             "!series_matrix_table_begin", "\t".join(['"ID_REF"', *(f'"{s}"' for s in samples)])]
    lines += ["\t".join(map(str, r)) for r in rows] + ["!series_matrix_table_end"]
    path = tmp_path / "GSE999_series_matrix.txt.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def _platform(tmp_path, name="GPL96.annot.gz", columns=("ID", "Gene symbol", "Gene ID")):
    body = "\t".join(columns) + "\n" + "p1\tTP53\t7157\np2\tMDM2\t4193\np3\tCDKN1A\t1026\n"
    (tmp_path / name).write_bytes(gzip.compress(f"^Annotation\n!platform_table_begin\n{body}!platform_table_end\n"
                                                .encode()))


def test_series_matrix_with_its_platform(tmp_path):
    _platform(tmp_path)
    path = _series_matrix(tmp_path, [("p1", 1, 2, 3), ("p2", 2, 4, 7), ("p3", 1, 1, 2), ("ctrl", 5, 5, 5)])
    [es] = read_expression_sets(path)
    assert es.name == "GSE999" and es.samples == ("GSM1", "GSM2", "GSM3")
    assert es.features["symbol"].tolist() == ["TP53", "MDM2", "CDKN1A"]


@pytest.mark.parametrize("case, problem", [
    ("non-numeric", "non-numeric value 'high'"), ("duplicate samples", "duplicate sample id 'GSM1'"),
    ("no gene columns", "no gene symbol or Entrez column"), ("no platform file", "no annotation for platform"),
    ("truncated", "truncated"),
])
def test_bad_series_matrix(tmp_path, case, problem):
    rows = [("p1", 1, 2, 3), ("p2", 2, 4, 7)]
    if case != "no platform file":
        _platform(tmp_path, columns=("ID", "SEQUENCE", "SPOT_ID") if case == "no gene columns" else
                  ("ID", "Gene symbol", "Gene ID"))
    samples = ("GSM1", "GSM1", "GSM3") if case == "duplicate samples" else ("GSM1", "GSM2", "GSM3")
    path = _series_matrix(tmp_path, [("p1", 1, "high", 3), *rows[1:]] if case == "non-numeric" else rows, samples)
    if case == "truncated":
        path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(InputError, match=problem):
        read_expression_sets(path)


# --- fetching with recorded responses -------------------------------------------------------------

class Recorded:
    """Serves recorded bytes per URL, honours Range, and can cut a download short once."""

    def __init__(self, files: dict[str, bytes], cut_after: dict[str, int] | None = None):
        self.files, self.cut_after, self.requests = files, dict(cut_after or {}), []

    def __call__(self, url, headers=None, timeout=60):
        self.requests.append((url, dict(headers or {})))
        if url not in self.files:
            raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)
        data = self.files[url]
        start = int(headers["Range"].split("=")[1].rstrip("-")) if headers and "Range" in headers else 0
        body, cut = data[start:], self.cut_after.pop(url, None)
        return _Response(body, 206 if start else 200, cut)


class _Response(io.BytesIO):
    def __init__(self, body, status, cut):
        super().__init__(body)
        self.status, self.cut, self.sent = status, cut, 0

    def read(self, n=-1):
        if self.cut is not None and self.sent >= self.cut:
            raise ConnectionResetError("connection reset by peer")
        chunk = super().read(min(n, self.cut - self.sent) if self.cut is not None and n > 0 else n)
        self.sent += len(chunk)
        return chunk


@pytest.fixture
def recorded(monkeypatch):
    real = GSE781.read_bytes()
    files = {ncbi.soft_url("GSE781"): real, ncbi.soft_url("GSE1000"): real[: len(real) // 3],
             ncbi.soft_url("GSE2000"): gzip.compress(
                 b"^SERIES = GSE2000\n^SAMPLE = GSM1\n!Sample_platform_id = GPL570\n")}
    transport = Recorded(files, cut_after={ncbi.soft_url("GSE781"): 100_000})
    monkeypatch.setattr(ncbi, "open_url", transport)
    monkeypatch.setattr(ncbi, "CHUNK", 16_384)
    return transport


def test_fetch_resumes_and_records_skip_reasons(tmp_path, recorded):
    first = fetch_geo(tmp_path, ["GSE781", "GSE1000", "GSE2000", "GSE3000"], platform="GPL96", min_samples=10)
    assert [r["accession"] for r in first["failed"]] == ["GSE781", "GSE3000"]      # cut mid-file; HTTP 404
    assert "rerun to resume" in first["failed"][0]["reason"]
    assert (tmp_path / "GSE781_family.soft.gz.part").stat().st_size == 100_000
    reasons = {r["accession"]: r["reason"] for r in first["skipped"]}
    assert "bad archive" in reasons["GSE1000"] and "wrong platform (GPL570, not GPL96)" == reasons["GSE2000"]

    recorded.requests.clear()
    second = fetch_geo(tmp_path, ["GSE781", "GSE1000", "GSE2000", "GSE3000"], platform="GPL96", min_samples=10)
    assert [r["accession"] for r in second["done"]] == ["GSE781"]
    urls = [u for u, _ in recorded.requests]
    assert urls == [ncbi.soft_url("GSE781"), ncbi.soft_url("GSE3000")]            # skipped ones not refetched
    assert recorded.requests[0][1]["Range"] == "bytes=100000-"                     # resumed, not restarted
    assert (tmp_path / "GSE781_family.soft.gz").read_bytes() == GSE781.read_bytes()

    recorded.requests.clear()
    third = fetch_geo(tmp_path, ["GSE781"], platform="GPL96", min_samples=20)
    assert recorded.requests == [] and third["done"]                                # finished: no request


def test_too_few_samples_is_a_skip_reason(tmp_path, recorded):
    recorded.cut_after.clear()
    summary = fetch_geo(tmp_path, ["GSE781"], platform="GPL96", min_samples=30)
    assert summary["skipped"][0]["reason"] == "only 17 samples on GPL96 (< 30)"


def test_scan_counts_samples_per_platform():
    summary = scan_soft(GSE781)
    assert summary.samples == {"GPL96": 17, "GPL97": 17} and summary.missing["GPL96"] < 0.01


def test_search_parses_eutils(monkeypatch):
    search = {"esearchresult": {"idlist": ["200003167"]}}
    summary = {"result": {"uids": ["200003167"], "200003167": {"accession": "GSE3167", "n_samples": 60,
                                                               "gpl": "96", "title": "bladder"}}}
    monkeypatch.setattr(ncbi, "open_url", lambda url, headers=None, timeout=60: io.BytesIO(
        json.dumps(search if "esearch" in url else summary).encode()))
    assert ncbi.search_series("GPL96", 30) == [{"accession": "GSE3167", "samples": 60, "platforms": ["GPL96"],
                                                "title": "bladder"}]


def test_bad_accession_is_refused(tmp_path):
    with pytest.raises(InputError, match="not a GEO series accession"):
        fetch_geo(tmp_path, ["GDS507"])


def test_build_fetches_geo_series_from_its_config(tmp_path, recorded):
    from pipeline.bundle import read_bundle

    recorded.cut_after.clear()
    (tmp_path / "build.toml").write_text("""
[geo]
accessions = ["GSE781", "GSE3000"]
platform = "GPL96"
folder = "downloads"

[coexpression]
min_samples = 10

[embedding]
dims = 16
epochs = 3
min_count = 1

[ggi]
max_positive_pairs = 3000

[ggipnn]
max_epochs = 2
""")
    assert main(["build", "--config", str(tmp_path / "build.toml"), "--out", str(tmp_path / "bundle"),
                 "--cache", str(tmp_path / "cache")]) == 0
    manifest = read_bundle(tmp_path / "bundle").manifest
    assert [d["name"] for d in manifest["inputs"]] == ["GSE781"]
    assert [f["accession"] for f in manifest["geo_fetch"]["failed"]] == ["GSE3000"]
    assert (tmp_path / "downloads" / "GSE781_family.soft.gz").exists()
