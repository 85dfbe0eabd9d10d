"""Opening outside text files, gzip-compressed or not, with one clear error per failure."""
from __future__ import annotations

import gzip
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from pipeline.errors import InputError


@contextmanager
def open_text(path: str | Path, what: str = "file", newline: str | None = None,
              errors: str = "strict") -> Iterator[TextIO]:
    """Read a (``.gz``) UTF-8 file; a missing file, undecodable bytes (unless ``errors`` says
    otherwise) or a truncated archive (also when met while reading) become an
    :class:`InputError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found", path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline=newline, errors=errors) as fh:
            yield fh
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path) from None
    except (EOFError, zlib.error, gzip.BadGzipFile):
        raise InputError("truncated or corrupt gzip file", path) from None
