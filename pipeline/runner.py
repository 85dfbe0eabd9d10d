"""The one runner of the build: it walks an ordered registry of declared stages and alone does
caching, timing, progress lines and the manifest, all under the stage's one name.

A :class:`Stage` declares what it reads (config fields, upstream stages, input files) and what it
writes into the bundle; its cache key is derived from exactly those declarations, so a stage is
recomputed when, and only when, something it declares changes (in the spirit of DVC's
``deps``/``params``/``outs``, over plain functions as in kedro).
"""
from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from pipeline.cache import StageCache, digest, file_sha256
from pipeline.config import BuildConfig
from pipeline.errors import InputError
from pipeline.progress import bar, heartbeat

log = logging.getLogger("pipeline")
def _no_files(params: dict[str, Any]) -> Sequence[Path]:
    return ()


@dataclass(frozen=True)
class Stage:
    """One step of the build.

    ``run(inputs)`` gets a :class:`StageInputs` holding only what the stage declares. A cached stage
    (one with ``load``) writes its files into ``inputs.folder`` and returns a JSON-able record;
    the value downstream stages see is ``load(folder, record)``, whether it was just computed or
    came from the cache. An uncached stage (a reader of input files, or one that resumes by
    itself) returns its value directly.
    """

    name: str                                    # cache folder, timing, manifest, progress line
    run: Callable[["StageInputs"], Any]
    needs: tuple[str, ...] = ()                  # upstream stages; "name?" where it may be absent
    params: tuple[str, ...] = ()                 # BuildConfig fields it reads
    files: Callable[[dict[str, Any]], Sequence[Path]] = _no_files   # input files, from its params
    load: Callable[[Path, dict], Any] | None = None
    outs: tuple[str, ...] = ()                   # files of its folder copied into the bundle
    report: Callable[[Any], dict] | None = None  # its part of the manifest, from its value
    version: int = 0                             # bumped when its results change for the same inputs

    @property
    def upstream(self) -> tuple[str, ...]:
        return tuple(n.rstrip("?") for n in self.needs)


@dataclass
class StageInputs:
    """What one stage may read: its declared config fields, its upstream values (None for an absent
    optional one), a folder to write in, and run-time options that do not change results."""

    stage: str
    params: dict[str, Any]
    upstream: dict[str, Any]
    folder: Path                  # cached stage: where its files go; uncached: its lasting folder
    work: Path                    # lasting scratch (checkpoints) of this key, removed once it is done
    options: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        """An upstream stage's value."""
        return self.upstream[name]

    def progress(self, total: int | None = None, unit: str = "it", part: str = "") -> Callable[[Iterable], Iterable]:
        """A progress bar (and its log lines) named after the stage."""
        return bar(f"{self.stage}: {part}" if part else self.stage, total, unit)


def plan(registry: Sequence[Stage], skip: Iterable[str] = (), keep: Iterable[str] = ()) -> list[Stage]:
    """The registry less the skipped stages; refused up front if a kept stage needs a skipped one, or
    if a stage in ``keep`` (one the caller itself reads) is skipped."""
    names = [s.name for s in registry]
    skip = set(skip)
    unknown = sorted(skip - set(names))
    if unknown:
        raise InputError(f"cannot skip {unknown}: the stages are {', '.join(names)}")
    read_by_caller = sorted(skip & set(keep))
    if read_by_caller:
        raise InputError(f"cannot skip {read_by_caller[0]}: the bundle is written from it")
    kept = [s for s in registry if s.name not in skip]
    for stage in kept:
        for need in stage.needs:
            if not need.endswith("?") and need not in {s.name for s in kept}:
                raise InputError(f"cannot skip {need}: stage {stage.name} needs it")
    return kept


def _plain(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) else value


class Runner:
    """Runs ``stages`` of one ``config``; ``run()`` returns the values and the manifest."""

    def __init__(self, stages: Sequence[Stage], config: BuildConfig, cache_dir: Path,
                 options: dict[str, Any] | None = None):
        self.stages = list(stages)
        self.config = config
        self.cache = StageCache(cache_dir)
        self.options = options or {}
        self.keys: dict[str, str] = {}
        self._checksums: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.record: dict[str, dict] = {}

    def key(self, stage: Stage) -> str:
        """Digest of the stage's declared parameters, its upstream keys, its files' checksums and its
        version (so that a cache made by older code of a stage is not served as new)."""
        params = {name: _plain(getattr(self.config, name)) for name in stage.params}
        files = [str(p) for p in stage.files({n: getattr(self.config, n) for n in stage.params})]
        missing = [f for f in files if not Path(f).is_file()]
        if missing:
            raise InputError(f"stage {stage.name}: input file not found", missing[0])
        for f in files:
            if f not in self._checksums:
                self._checksums[f] = file_sha256(Path(f))
        code = {"version": stage.version} if stage.version else {}     # 0: the keys from before versions
        return digest({"stage": stage.name, "params": params,
                       "upstream": {n: self.keys.get(n) for n in stage.upstream},
                       "files": [self._checksums[f] for f in files], **code})

    def all_keys(self) -> dict[str, str]:
        """Every stage's key, computed before anything runs (a missing input file is refused here)."""
        for stage in self.stages:
            self.keys[stage.name] = self.key(stage)
        return dict(self.keys)

    def run_stage(self, stage: Stage) -> Any:
        key = self.keys[stage.name]
        work = self.cache.root / f"{stage.name}-{key}.work"
        inputs = StageInputs(stage.name, {n: getattr(self.config, n) for n in stage.params},
                             {n: self.values.get(n) for n in stage.upstream}, self.cache.root / stage.name,
                             work, self.options)
        started = time.perf_counter()
        cached = False
        if stage.load is None:
            log.info("%s ...", stage.name)
            with heartbeat(stage.name):
                value = stage.run(inputs)
        else:
            def compute(tmp: Path) -> Any:
                with heartbeat(stage.name):
                    return stage.run(replace(inputs, folder=tmp))

            folder, result, cached = self.cache.run(stage.name, key, compute,
                                                    on_start=lambda: log.info("%s ...", stage.name))
            shutil.rmtree(work, ignore_errors=True)
            value = stage.load(folder, result)
            self.record[stage.name] = {"folder": folder}
        seconds = round(time.perf_counter() - started, 2)
        if not cached and seconds >= 1:
            log.info("%s: done in %.1f s", stage.name, seconds)
        self.record.setdefault(stage.name, {}).update(key=key, seconds=seconds, cached=cached)
        self.values[stage.name] = value
        return value

    def run(self) -> dict:
        """Every stage in order; the manifest: config, seed, each stage's report, key and time."""
        manifest: dict = {"config": self.recorded_config(), "seed": self.config.seed}
        self.all_keys()
        for stage in self.stages:
            value = self.run_stage(stage)
            if stage.report is not None:
                _merge(manifest, stage.report(value))
        reused = [n for n, r in self.record.items() if r["cached"]]
        if reused:
            log.info("from the cache: %s", ", ".join(reused))
        manifest["stages"] = {n: {k: r[k] for k in ("key", "seconds", "cached")} for n, r in self.record.items()}
        manifest["timings"] = {n: r["seconds"] for n, r in self.record.items()}
        return manifest

    def recorded_config(self) -> dict:
        """The config fields some stage reads (an import records no co-expression settings), the
        preset and the seed."""
        declared = {n for s in self.stages for n in s.params} | {"preset", "seed"}
        return {k: v for k, v in self.config.to_dict().items() if k in declared}

    def outs(self) -> dict[str, Path]:
        """The files the stages that ran contribute to the bundle, by their name in it."""
        return {name: self.record[s.name]["folder"] / name for s in self.stages for name in s.outs
                if s.name in self.record}

    def copy_outs(self, folder: Path) -> None:
        for name, path in self.outs().items():
            shutil.copy(path, folder / name)


def _merge(into: dict, part: dict) -> None:
    """Deep-merge a stage's manifest part (nested dicts merge; other values are set)."""
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
