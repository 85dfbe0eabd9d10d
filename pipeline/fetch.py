"""Download GEO series (and reference files) into a cache folder, resumably.

The state of every series (done, skipped with a reason, failed) lives in a diskcache index in the
output folder: a rerun downloads only what is missing, resumes partial files, retries failures,
and never re-checks finished series. Network calls are all in :mod:`pipeline.sources.ncbi`.
"""
from __future__ import annotations

import gzip
import http.client
import logging
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from pipeline.errors import InputError
from pipeline.sources import ncbi

log = logging.getLogger(__name__)

REFERENCE_FILES = {
    "annotations": {
        "Homo_sapiens.gene_info.gz": "https://ftp.ncbi.nlm.nih.gov/gene/DATA/GENE_INFO/Mammalia/Homo_sapiens.gene_info.gz",
        "gene2go.gz": "https://ftp.ncbi.nlm.nih.gov/gene/DATA/gene2go.gz",
        "go-basic.obo": "https://purl.obolibrary.org/obo/go/go-basic.obo",
    },
    "gtex": {
        "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz":
            "https://storage.googleapis.com/adult-gtex/bulk-gex/v8/rna-seq/"
            "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_median_tpm.gct.gz",
    },
}
MAX_MISSING = 0.10          # a series with more missing values than this is skipped


@dataclass(frozen=True)
class SoftSummary:
    """What a streamed pass over a family SOFT file found, per platform."""

    samples: dict[str, int]            # platform -> samples
    missing: dict[str, float]          # platform -> fraction of missing VALUE cells


def scan_soft(path: Path) -> SoftSummary:
    """One pass over a (gzipped) SOFT file: samples per platform and missing values, without
    building tables (GEOparse parses a 1 GB series in minutes; this takes seconds)."""
    samples: dict[str, int] = {}
    cells: dict[str, list[int]] = {}
    platform = None
    value_col = None
    in_table = False
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("^SAMPLE"):
                    platform = None
                elif line.startswith("!Sample_platform_id"):
                    platform = line.split("=", 1)[1].strip()
                    samples[platform] = samples.get(platform, 0) + 1
                    cells.setdefault(platform, [0, 0])
                elif line.startswith("!sample_table_begin"):
                    in_table, value_col = True, None
                elif line.startswith("!sample_table_end"):
                    in_table = False
                elif in_table and platform:
                    fields = line.rstrip("\n").split("\t")
                    if value_col is None:
                        value_col = fields.index("VALUE") if "VALUE" in fields else -1
                    elif value_col >= 0:
                        value = fields[value_col].strip() if value_col < len(fields) else ""
                        cells[platform][0] += 1
                        cells[platform][1] += value in ("", "null", "NA", "NaN")
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError):
        raise InputError("truncated or corrupt gzip file (bad archive)", path) from None
    if not samples:
        raise InputError("no samples in the file: not a GEO family SOFT file?", path)
    missing = {p: (c[1] / c[0] if c[0] else 1.0) for p, c in cells.items()}
    return SoftSummary(samples, missing)


def check_series(summary: SoftSummary, platform: str, min_samples: int) -> str | None:
    """Why a downloaded series is not usable (None if it is)."""
    if platform not in summary.samples:
        return f"wrong platform ({', '.join(sorted(summary.samples))}, not {platform})"
    if summary.samples[platform] < min_samples:
        return f"only {summary.samples[platform]} samples on {platform} (< {min_samples})"
    if summary.missing[platform] > MAX_MISSING:
        return f"{summary.missing[platform]:.0%} missing values"
    return None


def fetch_geo(out: Path, accessions: Iterable[str], platform: str = "GPL570", min_samples: int = 30,
              max_datasets: int = 0, progress: Callable[[Iterable], Iterable] = lambda it: it) -> dict:
    """Download each series' family SOFT file into ``out``; record done / skipped / failed."""
    import diskcache

    out.mkdir(parents=True, exist_ok=True)
    accessions = list(dict.fromkeys(a.strip().upper() for a in accessions if a.strip()))
    for a in accessions:
        if not re.fullmatch(r"GSE\d+", a):
            raise InputError(f"not a GEO series accession: {a!r}")
    if max_datasets:
        accessions = accessions[:max_datasets]
    with diskcache.Cache(str(out / ".fetch-state")) as state:
        for gse in progress(accessions):
            record = state.get(gse)
            path = out / f"{gse}_family.soft.gz"
            if record and (record["status"] == "skipped" or (record["status"] == "done" and path.exists())):
                continue
            state[gse] = _fetch_one(gse, path, platform, min_samples)
        records = {gse: state.get(gse) for gse in accessions}
    return {"platform": platform, "min_samples": min_samples, "out": str(out),
            "done": [{"accession": g, **r} for g, r in records.items() if r["status"] == "done"],
            "skipped": [{"accession": g, **r} for g, r in records.items() if r["status"] == "skipped"],
            "failed": [{"accession": g, **r} for g, r in records.items() if r["status"] == "failed"]}


def _fetch_one(gse: str, path: Path, platform: str, min_samples: int) -> dict:
    try:
        ncbi.download(ncbi.soft_url(gse), path)
    except InputError as exc:                                   # HTTP errors: retried next run
        return {"status": "failed", "reason": exc.problem}
    except (OSError, http.client.HTTPException) as exc:         # connection lost mid-file: resumes
        return {"status": "failed", "reason": f"interrupted ({exc.__class__.__name__}); rerun to resume"}
    try:
        reason = check_series(scan_soft(path), platform, min_samples)
    except InputError as exc:
        path.unlink(missing_ok=True)                            # a bad archive is not kept
        return {"status": "skipped", "reason": exc.problem}
    if reason:
        path.unlink(missing_ok=True)
        return {"status": "skipped", "reason": reason}
    return {"status": "done", "file": path.name, "bytes": path.stat().st_size}


def fetch_reference(kind: str, out: Path) -> list[Path]:
    """Reference files (NCBI gene table, gene2go, GO; or GTEx medians), resumable."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, url in REFERENCE_FILES[kind].items():
        dest = out / name
        if not dest.exists():
            log.info("downloading %s", url)
            ncbi.download(url, dest)
        paths.append(dest)
    return paths
