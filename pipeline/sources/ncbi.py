"""Every network call of the project: NCBI E-utilities, and resumable file downloads.

Tests replace :func:`open_url` with recorded responses; nothing else touches the network.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO, Callable

from pipeline.errors import InputError

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
GEO_FTP = "https://ftp.ncbi.nlm.nih.gov/geo/series"
USER_AGENT = "gene2vec-dash (https://github.com/; research software)"
CHUNK = 1 << 20


def open_url(url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> BinaryIO:
    """An HTTP(S) response: ``.status``, ``.headers`` and ``.read(n)`` (urllib's)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 (https URLs we build)


def get_json(url: str, retries: int = 3) -> dict:
    for attempt in range(retries):
        try:
            with open_url(url) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            if attempt == retries - 1:
                raise InputError(f"{url}: {exc}") from None
            time.sleep(1 + 2 * attempt)          # NCBI asks for at most 3 requests a second
    raise AssertionError("unreachable")


def search_series(platform: str, min_samples: int, retmax: int = 100_000) -> list[dict]:
    """GEO series (GSE) on a platform with at least ``min_samples`` samples, via E-utilities:
    ``[{"accession": "GSE3167", "samples": 60, "platforms": ["GPL96"], "title": ...}, ...]``."""
    term = f"{platform}[ACCN] AND gse[ETYP] AND {min_samples}:100000[NSAM]"
    query = urllib.parse.urlencode({"db": "gds", "term": term, "retmax": retmax, "retmode": "json"})
    ids = get_json(f"{EUTILS}/esearch.fcgi?{query}")["esearchresult"]["idlist"]
    out = []
    for start in range(0, len(ids), 400):
        query = urllib.parse.urlencode({"db": "gds", "id": ",".join(ids[start:start + 400]), "retmode": "json"})
        result = get_json(f"{EUTILS}/esummary.fcgi?{query}")["result"]
        for uid in result.get("uids", []):
            doc = result[uid]
            out.append({"accession": doc["accession"], "samples": int(doc.get("n_samples", 0)),
                        "platforms": [f"GPL{p}" for p in str(doc.get("gpl", "")).split(";") if p],
                        "title": doc.get("title", "")})
    return out


def soft_url(gse: str) -> str:
    """The family SOFT file of a series (samples + platform tables), as GEO lays it out."""
    return f"{GEO_FTP}/{gse[:-3]}nnn/{gse}/soft/{gse}_family.soft.gz"


def download(url: str, dest: Path, progress: Callable[[int], None] | None = None) -> Path:
    """Download to ``dest`` through ``dest.part``, resuming a partial file with an HTTP Range
    request; ``dest`` appears only when complete."""
    part = dest.with_name(dest.name + ".part")
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = open_url(url, headers)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:          # the part file already holds everything
            os.replace(part, dest)
            return dest
        raise InputError(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise InputError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    with response:
        resumed = offset and getattr(response, "status", 200) == 206
        with open(part, "ab" if resumed else "wb") as fh:
            while chunk := response.read(CHUNK):
                fh.write(chunk)
                if progress:
                    progress(len(chunk))
    os.replace(part, dest)
    return dest
