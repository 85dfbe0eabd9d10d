"""The commands of ``python -m pipeline`` (:mod:`pipeline.cli` parses; these run): each reads its
files, calls the science modules and prints through :mod:`pipeline.report`."""
from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import InputError
from pipeline.flags import config_from_args, with_settings

if TYPE_CHECKING:
    from pipeline.bundle import Bundle
    from pipeline.config import FunctionsConfig


def _print_json(obj: dict) -> None:
    print(json.dumps(obj, default=str, separators=(",", ":")))


def cmd_build(args: argparse.Namespace) -> None:
    from pipeline.build import build
    from pipeline.config import demo_config, load_config, with_preset

    if args.demo == bool(args.config):
        raise InputError("give exactly one of --demo or --config FILE")
    config = demo_config(preset=args.preset or "demo") if args.demo else load_config(args.config)
    if args.preset and not args.demo:
        config = with_preset(config, args.preset)
    if args.seed is not None:
        config = config.seeded(args.seed)
    config = with_settings(config, args.set or [])
    _report(build(config, Path(args.out), Path(args.cache), args.skip or (), args.scheduler), args)


def cmd_import_embedding(args: argparse.Namespace) -> None:
    from pipeline.build import import_embedding
    from pipeline.config import BuildConfig

    config = BuildConfig(gene_sets=tuple(args.gmt or ()), gene_table=args.gene_table or "",
                         tissues=tuple(args.tissues or ())).seeded(args.seed)
    config = with_settings(config, args.set or [])
    _report(import_embedding(Path(args.file), config, Path(args.out), Path(args.cache), args.skip or ()), args)


def cmd_export(args: argparse.Namespace) -> None:
    from pipeline.bundle import read_bundle
    from pipeline.export import export

    bundle = read_bundle(args.bundle)
    written = export(bundle, Path(args.out), args.format)
    for path in written:
        print(f"{path}  ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"{len(bundle.genes):,} genes x {bundle.vectors.shape[1]} dims")
    if args.json:
        _print_json({"files": [str(p) for p in written], "genes": len(bundle.genes),
                     "dims": int(bundle.vectors.shape[1])})


def cmd_check(args: argparse.Namespace) -> int:
    from pipeline.sameness import differences

    found = differences(args.a, args.b)
    for line in found:
        print(line)
    print(f"{args.a} and {args.b}: " + ("different results" if found else "the same results (run records aside)"))
    return 1 if found else 0


def _report(manifest: dict, args: argparse.Namespace) -> None:
    from pipeline.report import summary_lines

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

    config = config_from_args(args, CoexpressionConfig)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder: --out is the folder for pair files", out)
    existed = out.exists()
    summary = run_coexpression(args.inputs, args.out, config, args.scheduler, args.workers, args.gene_table or "",
                               progress=bar("coexpression", unit="file"))
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


def _bundle_config(folder: Path):
    """The config a bundle was built with (None when ``folder`` is not a bundle)."""
    from pipeline.config import config_from_dict

    if not (folder / "manifest.json").is_file():
        return None
    from pipeline.bundle import read_bundle

    return config_from_dict(read_bundle(folder).manifest.get("config", {}), f"{folder}/manifest.json config")


def _expression(args: argparse.Namespace):
    """The data sets for the raw co-expression baseline: ``--expression`` files, or those that built
    the bundle (``--bundle`` / ``--embedding`` of a bundle folder); None when there are none."""
    from pipeline.coexpression import preprocessed_sets
    from pipeline.config import BuildConfig

    config = _bundle_config(Path(args.bundle or args.embedding or "")) or BuildConfig()
    files = [Path(p) for p in args.expression or ()]
    if not files:
        from pipeline.sources import demo

        files = demo.expression_files() if config.demo else [Path(p) for p in config.inputs]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputError(f"expression data set not found: {missing[0]} (give --expression PATH...)")
    if not files:
        return None
    return lambda: ((p.genes, p.values) for p in preprocessed_sets(files, config.coexpression, config.gene_table))


def _embedding(args: argparse.Namespace):
    from pipeline.sources.embeddings import read_embedding

    if bool(args.bundle) == bool(args.embedding):
        raise InputError("give exactly one of --embedding FILE or --bundle DIR")
    return read_embedding(args.bundle or args.embedding)


def _bundle_contexts(bundle: str, genes):
    """Each gene's number of contexts from a bundle's gene table, as floats (None for an imported
    embedding, which records none)."""
    from pipeline.bundle import read_bundle

    table = read_bundle(bundle).genes.set_index("symbol")
    if "contexts" not in table.columns or table["contexts"].isna().all():
        return None
    return table["contexts"].reindex(genes).to_numpy(dtype=float, na_value=float("nan"))


def cmd_clusteredness(args: argparse.Namespace) -> None:
    from pipeline.config import ClusterednessConfig
    from pipeline.evaluate import clusteredness, coexpression_clusteredness
    from pipeline.report import clusteredness_lines
    from pipeline.sources.genesets import read_gmt

    config = config_from_args(args, ClusterednessConfig)
    emb = _embedding(args)
    sets = read_gmt(args.gmt)
    datasets = _expression(args)
    result = clusteredness(emb.genes, emb.vectors, sets, config, args.gmt)
    if datasets:
        result["coexpression"] = coexpression_clusteredness(datasets(), emb.genes, sets, config)
    for line in clusteredness_lines(result):
        print(line)
    print(f"gene sets used: {result['sets_used']} of {result['sets_total']} "
          f"({config.min_set_size}-{config.max_set_size} genes with a vector)")
    if args.json:
        _print_json(result)


def cmd_neighbours(args: argparse.Namespace) -> None:
    from pipeline.config import NeighbourConfig
    from pipeline.evaluate import fisher_z_similarity, neighbour_report
    from pipeline.report import neighbour_lines
    from pipeline.sources.genesets import read_gmt
    from pipeline.support import tier_report

    config = config_from_args(args, NeighbourConfig)
    emb = _embedding(args)
    if config.k >= len(emb.genes):             # refused, not clamped: precision@k is compared across runs
        raise InputError(f"--k {config.k} needs more than {config.k} genes; the embedding has {len(emb.genes)}",
                         args.bundle or args.embedding)
    datasets = _expression(args)
    similarity = (lambda rows: fisher_z_similarity(datasets(), emb.genes, rows)) if datasets else None
    contexts = _bundle_contexts(args.bundle, emb.genes) if args.bundle else None
    reports = {}
    for gmt in args.gmt:
        sets = read_gmt(gmt)
        reports[Path(gmt).name] = neighbour_report(emb.genes, emb.vectors, sets, config, similarity, gmt)
        if contexts is not None:
            reports[Path(gmt).name]["support"] = tier_report(emb.genes, emb.vectors, contexts, sets, config, None, gmt)
        for line in neighbour_lines(Path(gmt).name, reports[Path(gmt).name]):
            print(line)
    if not datasets:
        print("(no expression data sets: give --expression PATH... or --bundle DIR for the co-expression baseline)")
    if args.json:
        _print_json(reports)


def cmd_compare(args: argparse.Namespace) -> None:
    """Two embeddings on their shared genes, each figure beside the raw co-expression and random genes."""
    from pipeline.compare import compare
    from pipeline.config import ClusterednessConfig, NeighbourConfig
    from pipeline.report import compare_lines
    from pipeline.sources import demo
    from pipeline.sources.embeddings import read_embedding
    from pipeline.sources.genesets import read_gmt
    from pipeline.support import tier

    a, b = read_embedding(args.a), read_embedding(args.b)
    files = {Path(g).name: read_gmt(g) for g in args.gmt or demo.gene_set_files()}
    contexts = _bundle_contexts(args.a, a.genes) if Path(args.a).is_dir() else None
    datasets = _expression(argparse.Namespace(bundle=args.a, embedding=None, expression=None)) \
        if Path(args.a).is_dir() else None
    result = compare(a, b, files, ClusterednessConfig(), config_from_args(args, NeighbourConfig),
                     None if contexts is None else tier(contexts), datasets)
    names = tuple(Path(p).name.removesuffix(".txt") for p in (args.a, args.b))
    for line in compare_lines(result, names if names[0] != names[1] else ("A", "B")):
        print(line)
    if args.json:
        _print_json(result)


def cmd_methods(args: argparse.Namespace) -> None:
    """Every embedding method on the same contexts, genes and gene sets, side by side, beside the
    raw co-expression and random genes (each method's stages are cached like a build's)."""
    from pipeline.config import METHODS, demo_config, load_config
    from pipeline.report import method_lines
    from pipeline.runner import Runner
    from pipeline.stages import COMPARE

    if args.demo == bool(args.config):
        raise InputError("give exactly one of --demo or --config FILE")
    config = with_settings(demo_config() if args.demo else load_config(args.config), args.set or [])
    if args.gmt:
        config = replace(config, gene_sets=tuple(str(Path(g).resolve()) for g in args.gmt))
    quality = {}
    for method in args.methods or METHODS:
        variant = replace(config, embedding=replace(config.embedding, method=method))
        quality[method] = Runner(COMPARE, variant, Path(args.cache), {"scheduler": "threads"}).run()["metrics"]
    for line in method_lines(quality):
        print(line)
    if args.json:
        _print_json(quality)


def cmd_ggipnn(args: argparse.Namespace) -> None:
    from pipeline.config import GGIPNNConfig, PairModelConfig
    from pipeline.ggipnn import check_known, read_pairs, save_predictor, train_ggipnn
    from pipeline.pairs import baselines
    from pipeline.progress import bar
    from pipeline.report import baseline_lines
    from pipeline.sources.embeddings import read_embedding

    if args.random == bool(args.embedding):
        raise InputError("give exactly one of --embedding FILE or --random")
    if args.random and args.dims < 2:
        raise InputError(f"--dims {args.dims}: random vectors need at least 2 dimensions")
    if args.out:
        _check_output_file(Path(args.out))
    config = config_from_args(args, GGIPNNConfig)
    emb = None if args.random else read_embedding(args.embedding)
    splits = {"train": read_pairs(*args.train), "valid": read_pairs(*args.valid)}
    if args.test:
        splits["test"] = read_pairs(*args.test)
    coverage = {name: round(check_known(data, emb, getattr(args, name)[0], args.min_known), 4)
                for name, data in splits.items() if emb is not None}
    trained = train_ggipnn(emb, splits["train"], splits["valid"], splits.get("test"), config, dims=args.dims,
                           progress=bar("ggipnn", config.max_epochs, "epoch"))
    m = trained.metrics
    print(f"{'random' if emb is None else 'gene2vec'} vectors, {'trainable' if config.trainable else 'frozen'}: "
          f"best epoch {m['best_epoch']} of {m['epochs_run']}")
    for name in splits:
        extra = f" ({coverage[name]:.1%} of its genes have a vector)" if name in coverage else ""
        print(f"{name} AUC {m[f'{name}_auc']:.4f}, per-gene AUC {m[f'{name}_per_gene_auc']:.4f}{extra}")
    figures = {}
    if emb is not None:
        figures = baselines(emb, splits, PairModelConfig(seed=config.seed),
                            progress=bar("ggipnn: additive baseline", unit="epoch"))
        last = figures["split"]
        print(f"on the {last} pairs, beside the baselines that need no pair signal:")
        ggipnn = {"auc": m[f"{last}_auc"], "per_gene_auc": m[f"{last}_per_gene_auc"]}
        for line in baseline_lines(figures, "GGIPNN", ggipnn):
            print(line)
    if args.out:
        save_predictor(trained, Path(args.out))
        print(f"model: {args.out}")
    if args.json:
        _print_json({**m, "coverage": coverage, "baselines": figures, "history": trained.history})


def _check_output_file(path: Path) -> None:
    """Refuse, before any work, an output file that could not be written once the work is done."""
    if path.is_dir():
        raise InputError("is a folder: give the file to write", path)
    if not path.parent.is_dir():
        raise InputError(f"folder {path.parent} does not exist", path)
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"cannot write in folder {path.parent}", path)


def bundle_functions_config(bundle: Bundle) -> FunctionsConfig:
    """The functions settings a bundle was built with: the defaults for a bundle built before them, and
    no tissue atlases for one built before the functions stage read them (it has no ``tissues`` key)."""
    from pipeline.config import FunctionsConfig

    return FunctionsConfig(**{"tissues": False, **bundle.manifest.get("config", {}).get("functions", {})})


def cmd_functions(args: argparse.Namespace) -> None:
    """Term prediction per library, each figure beside the baselines measured in the same run."""
    from pipeline.bundle import read_bundle
    from pipeline.evidence import read_profiles
    from pipeline.function_eval import coexpression_neighbours, evaluate_library, neighbour_table
    from pipeline.function_table import profile_groups, sizes_for
    from pipeline.report import function_lines
    from pipeline.sources.genesets import read_gmt

    if args.sample < 10:
        raise InputError(f"--sample {args.sample}: score at least 10 genes")
    bundle = read_bundle(args.bundle)
    frame = bundle.gene_sets()
    libraries = {str(source): frame[frame["source"] == source].groupby("name")["gene"].apply(list).to_dict()
                 for source in frame["source"].unique()}
    libraries.update({Path(p).name: read_gmt(p) for p in args.gmt})
    genes = bundle.genes["symbol"].to_numpy(dtype=str)
    near = neighbour_table(bundle.vectors)                  # the vectors' own: one search for every library
    expression = read_profiles(bundle.path, genes)          # None: no evidence files
    raw = None if expression is None else coexpression_neighbours(*expression)
    cfg = bundle_functions_config(bundle)                   # graded as the bundle predicts: its folds, atlases
    profiles = profile_groups(expression, bundle.genes if cfg.tissues else None)
    support = bundle.genes["support"].astype(str).to_numpy() if "support" in bundle.genes else None
    results = {}
    for name, sets in libraries.items():
        low, high = sizes_for(name)
        results[name] = evaluate_library(genes, bundle.vectors, sets, low, high, sample=args.sample,
                                         folds=cfg.folds, seed=args.seed, near=near, raw=raw, support=support,
                                         profiles=profiles)
        for line in function_lines(name, results[name]):
            print(line, flush=True)
    if args.json:
        _print_json(results)


def cmd_predict_functions(args: argparse.Namespace) -> None:
    """Every gene x term of one GMT, scored as the bundle's functions stage scores its libraries."""
    from pipeline import functions as F
    from pipeline.bundle import read_bundle
    from pipeline.evidence import read_profiles
    from pipeline.function_table import profile_groups, scored, write_all_scores
    from pipeline.progress import bar
    from pipeline.sources.genesets import read_gmt

    out = Path(args.out)
    _check_output_file(out)
    bundle = read_bundle(args.bundle)
    cfg = bundle_functions_config(bundle)
    method = args.method or cfg.method
    if method not in F.METHODS:
        raise InputError(f"--method {method}: one of {', '.join(F.METHODS)}")
    sets, genes = read_gmt(args.gmt), bundle.genes["symbol"].to_numpy(dtype=str)
    near = F.neighbours(bundle.vectors, cfg.neighbours)
    members, terms, blocks = scored(genes, bundle.vectors, sets, Path(args.gmt).name, near, cfg.folds, cfg.seed,
                                    method, profile_groups(read_profiles(bundle.path, genes),
                                                           bundle.genes if cfg.tissues else None))
    if len(terms) < 2:
        raise InputError(f"{len(terms)} of its sets have 5-500 of the bundle's genes: nothing to rank", args.gmt)
    rows = write_all_scores(out, genes, members, terms, bar("predict functions", None, "block")(blocks))
    print(f"{out}: {rows:,} rows ({len(genes):,} genes x {len(terms):,} terms; method {method}, {cfg.folds} folds, "
          f"seed {cfg.seed})")


def cmd_pairs(args: argparse.Namespace) -> None:
    """The bundle's pair model against its baselines, with the bundle's own pair-model settings."""
    import pandas as pd

    from pipeline.bundle import GGI_PAIRS, read_bundle
    from pipeline.embedding import Embedding
    from pipeline.ggipnn import PairData
    from pipeline.pairs import PairPredictor, baselines, list_quality, saved_model_metrics
    from pipeline.progress import bar
    from pipeline.report import baseline_lines, calibration_lines, partner_lines
    from pipeline.sources.genesets import read_gmt

    bundle = read_bundle(args.bundle)
    if bundle.pair_model_path is None or not (bundle.path / GGI_PAIRS).is_file():
        raise InputError(f"bundle has no pair model ({bundle.path / 'pairs.pt'}) or no {GGI_PAIRS}: rebuild it",
                         bundle.path)
    config = _bundle_config(bundle.path)
    seed = config.pair_model.seed if args.seed is None else args.seed
    pair_cfg, neighbours = replace(config.pair_model, seed=seed), replace(config.neighbours, seed=seed)
    frame = pd.read_parquet(bundle.path / GGI_PAIRS)
    splits = {name: PairData.from_frame(frame[frame["split"] == name]) for name in ("train", "valid", "test")}
    emb = Embedding(bundle.genes["symbol"].to_numpy(dtype=str), bundle.vectors)
    counts = bundle.genes["contexts"] if "contexts" in bundle.genes else pd.Series(dtype="Int64")
    contexts = dict(zip(emb.genes, counts.astype(float))) if counts.notna().any() else None
    model = saved_model_metrics(bundle.pair_model_path, emb, splits)
    figures = baselines(emb, splits, pair_cfg, contexts, bar("pairs: additive baseline", pair_cfg.max_epochs, "epoch"))
    test = splits["test"]
    print(f"degree-matched GO pairs, test split ({len(test.labels):,} pairs of {len(test.genes()):,} genes "
          "seen in no training pair; each gene in about as many negatives as positives):")
    calibration = model.get("calibration", {})
    shown = {"auc": model["test_auc"], "per_gene_auc": model["test_per_gene_auc"]}
    if calibration:
        shown = {"auc": calibration["auc"], "per_gene_auc": calibration["per_gene_auc"], "ece": calibration["ece"]}
    for line in baseline_lines(figures, "pair model (its P)", shown) + (calibration_lines(calibration)
                                                                       if calibration else []):
        print(line)
    quality = list_quality(emb, PairPredictor(bundle.pair_model_path, bundle.vectors),
                           {Path(g).name: read_gmt(g) for g in args.gmt or ()}, neighbours)
    for line in partner_lines(quality):
        print(line)
    if args.json:
        _print_json({"pair_model": model, "baselines": figures, **quality})


def cmd_fetch(args: argparse.Namespace) -> None:
    from pipeline.config import GeoConfig
    from pipeline.fetch import fetch_geo, fetch_reference
    from pipeline.progress import bar

    geo = config_from_args(args, GeoConfig)
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

        found = search_series(geo.platform, args.min_samples)
        print(f"GEO: {len(found)} series on {geo.platform} with >= {args.min_samples} samples")
        accessions = [f["accession"] for f in found]
    summary = fetch_geo(out, accessions, geo.platform, args.min_samples, geo.max_datasets,
                        progress=bar("GEO series", unit="series"))
    print(f"done {len(summary['done'])}, skipped {len(summary['skipped'])}, failed {len(summary['failed'])} "
          f"-> {out}")
    for r in summary["skipped"] + summary["failed"]:
        print(f"  {r['accession']} {r['status']}: {r['reason']}")
    if args.json:
        _print_json(summary)


def cmd_bench(args: argparse.Namespace) -> None:
    from pipeline.bench import BENCHES

    options = {"app": {"bundle": args.bundle},
               "browser": {"bundle": args.bundle, "tries": max(1, args.tries)}}.get(args.what, {})
    result = BENCHES[args.what](quick=args.quick, **options)
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
