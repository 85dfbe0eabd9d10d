"""A build (expression files or the demo compendium -> bundle) or an import (any embedding file
-> bundle): the registry's stages (:mod:`pipeline.stages`) walked by the one runner
(:mod:`pipeline.runner`), then the bundle written atomically from what they made.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from pipeline.bundle import check_out, write_bundle
from pipeline.config import BuildConfig
from pipeline.runner import Runner, Stage, plan
from pipeline.stages import BUILD, IMPORT


def build(config: BuildConfig, out: Path, cache_dir: Path, skip: Iterable[str] = (),
          scheduler: str = "threads") -> dict:
    """The whole pipeline; returns the bundle's manifest (with the bundle's own timing)."""
    return run(BUILD, config, out, cache_dir, skip, {"scheduler": scheduler})


def import_embedding(path: Path, config: BuildConfig, out: Path, cache_dir: Path, skip: Iterable[str] = ()) -> dict:
    """Any embedding file -> a bundle (layout, annotations, quality, the frozen GGIPNN, pair model)."""
    config = replace(config, embedding_file=str(Path(path).resolve()),
                     ggipnn=replace(config.ggipnn, runs=("gene2vec_frozen",)))
    return run(IMPORT, config, out, cache_dir, skip)


def run(registry: Sequence[Stage], config: BuildConfig, out: Path, cache_dir: Path, skip: Iterable[str] = (),
        options: dict | None = None) -> dict:
    """Plan (checking ``out`` and what is skipped before any work), run every stage, write the bundle."""
    out = Path(out)
    check_out(out)
    runner = Runner(plan(registry, skip, keep=("annotations",)), config, Path(cache_dir), options)
    manifest = runner.run()
    started = time.perf_counter()
    write_bundle(out, manifest, runner.values["annotations"][0], None, runner.copy_outs)
    manifest["timings"]["bundle"] = round(time.perf_counter() - started, 2)
    return manifest
