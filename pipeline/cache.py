"""A folder per finished stage, keyed by everything the stage depends on.

A stage runs in a temporary folder that is renamed into place when it finishes, with the
checksums of what it wrote; a rerun reuses finished stages, and an entry whose files no longer
match their checksums (a crash mid-copy, a damaged disk) is detected and recomputed.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)


def digest(obj: Any) -> str:
    """A short stable hash of JSON-able parameters and input checksums."""
    blob = json.dumps(obj, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class StageCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)
        self._remove_stale()

    def _remove_stale(self) -> None:
        """Temporary folders of runs that were killed (their process is gone) are removed."""
        for tmp in self.root.glob(".*.tmp") if self.root.is_dir() else ():
            pid = tmp.name.rsplit(".", 2)[-2]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(tmp, ignore_errors=True)

    def run(self, stage: str, key: str, make: Callable[[Path], dict],
            on_start: Callable[[], None] = lambda: None) -> tuple[Path, dict, bool]:
        """Return (folder, result, cached) of ``stage`` under ``key``, running ``make(folder)``
        (after ``on_start()``) if needed.

        ``make`` writes its files into the folder it is given and returns a JSON-able result."""
        folder = self.root / f"{stage}-{key}"
        done = folder / "done.json"
        if done.is_file():
            try:
                record = json.loads(done.read_text())
                if self._intact(folder, record["files"]):
                    log.debug("%s: cached (%s)", stage, folder)
                    return folder, record["result"], True
            except (ValueError, KeyError, OSError):
                pass
            log.warning("%s: cache entry %s is damaged; recomputing", stage, folder.name)
        on_start()
        tmp = self.root / f".{stage}-{key}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            result = make(tmp)
            files = {str(p.relative_to(tmp)): file_sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
            (tmp / "done.json").write_text(json.dumps({"stage": stage, "key": key, "files": files,
                                                       "result": result}, default=str))
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder, json.loads(done.read_text())["result"], False

    @staticmethod
    def _intact(folder: Path, files: dict[str, str]) -> bool:
        return all((folder / name).is_file() and file_sha256(folder / name) == sha for name, sha in files.items())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
