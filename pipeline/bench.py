"""Benchmarks with in-run baselines: every figure is a ratio against something measured in the
same process on the same data, so the numbers mean the same on any machine.

``python -m pipeline bench coexpression|embedding|layout|app|browser [--quick] [--json]``; ``app`` and
``browser`` run :mod:`gene2vec_dash.bench` and :mod:`gene2vec_dash.bench_browser` in a subprocess.
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def _time(fn: Callable, repeat: int = 1) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs (seconds), and what the last run returned."""
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def _peak_traced(fn: Callable) -> tuple[float, object]:
    """Peak bytes allocated (numpy reports to tracemalloc) while ``fn`` runs, in MB."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1e6, result


def _correlated_matrix(genes: int, samples: int, seed: int = 0) -> np.ndarray:
    """Expression-like data with co-expressed modules (so thresholding has work to do)."""
    from pipeline.synthetic import planted_expression

    modules = max(1, genes // 50)
    values, _, _ = planted_expression(modules, 40, samples, n_background=genes - modules * 40, noise=0.3, seed=seed)
    return values.astype(np.float32)


# --- co-expression --------------------------------------------------------------------------

def bench_coexpression(quick: bool = False) -> dict:
    import pandas as pd

    from pipeline.coexpression import correlated_pairs

    small = _correlated_matrix(1000 if quick else 5000, 100)
    frame = pd.DataFrame(small.T)

    def pandas_way():
        r = frame.corr().to_numpy()
        i, j = np.nonzero(np.triu(r >= 0.9, k=1))
        return len(i)

    t_pandas, pairs_pandas = _time(pandas_way)
    t_ours_small, (i_small, _, _) = _time(lambda: correlated_pairs(small, 0.9), repeat=3)

    big_genes, big_samples = (4000, 100) if quick else (20000, 200)
    big = _correlated_matrix(big_genes, big_samples, seed=1)
    z = np.ascontiguousarray(big)
    t_gemm, _ = _time(lambda: z @ z.T, repeat=2)          # one bare float32 GEMM, full square output
    t_ours, _ = _time(lambda: correlated_pairs(big, 0.9), repeat=2)
    peak_mb, (i, _, _) = _peak_traced(lambda: correlated_pairs(big, 0.9))
    per_set = _per_dataset_cost(quick)
    cores = os.cpu_count() or 1
    return {
        "small": {"genes": small.shape[0], "samples": small.shape[1], "pandas_s": round(t_pandas, 3),
                  "ours_s": round(t_ours_small, 4), "speedup_vs_pandas": round(t_pandas / t_ours_small, 1),
                  "pairs_pandas": pairs_pandas, "pairs_ours": int(len(i_small))},
        "large": {"genes": big_genes, "samples": big_samples, "ours_s": round(t_ours, 3),
                  "bare_gemm_s": round(t_gemm, 3), "ratio_to_gemm": round(t_ours / t_gemm, 3),
                  "pairs": int(len(i)), "peak_mb": round(peak_mb, 1)},
        "compendium_projection": {**per_set, "datasets": 984, "parallel_tasks": cores,
                                  "hours": round(per_set["seconds_per_dataset"] * 984 / cores / 3600, 2),
                                  "note": "compute only (read + preprocess + correlate), files already on disk"},
        "targets": {"speedup_vs_pandas": ">= 30", "ratio_to_gemm": "<= 1.5", "peak_mb": "<= 1500"},
    }


def _per_dataset_cost(quick: bool) -> dict:
    """A typical GPL570 data set after preprocessing: ~20,000 genes x 60 samples (the paper kept
    sets with >= 30 samples): read, preprocess and correlate one, timed end to end."""
    import pandas as pd

    from pipeline.coexpression import process_input
    from pipeline.config import CoexpressionConfig

    genes, samples = (3000, 60) if quick else (20000, 60)
    values = 2.0 ** (_correlated_matrix(genes, samples, seed=2) + 1.0)     # linear scale, as GEO delivers
    with tempfile.TemporaryDirectory() as tmp:
        table = pd.DataFrame(values, columns=[f"GSM{k}" for k in range(samples)])
        table.insert(0, "gene", [f"G{k}" for k in range(genes)])
        path = Path(tmp) / "GSE_bench.parquet"
        table.to_parquet(path, index=False)
        out = Path(tmp) / "out"
        out.mkdir()
        seconds, _ = _time(lambda: process_input(str(path), str(out), CoexpressionConfig(), blas_threads=1))
    return {"genes_per_dataset": genes, "samples_per_dataset": samples, "blas_threads": 1,
            "seconds_per_dataset": round(seconds, 2)}


# --- embedding ------------------------------------------------------------------------------

def bench_embedding(quick: bool = False) -> dict:
    """Ours (pair file -> shuffled corpus_file, streamed) vs the authors' approach, one epoch, same
    parameters, on the same synthetic pairs (planted modules), each in a fresh process so that its
    peak memory is its own. Each starts from the pairs on disk in its own format: ours int32 arrays;
    the authors' ``src/gene2vec.py`` read ``GENE_A GENE_B`` text lines into a list of 2-token
    lists, ``random.shuffle``-d it and called ``Word2Vec(sentences=...)``."""
    from pipeline.coexpression import PairSet
    from pipeline.synthetic import planted_pairs

    n_genes, n_modules = (500, 10) if quick else (20000, 400)
    sizes = [200_000, 400_000] if quick else [5_000_000, 20_000_000]
    results: dict = {"genes": n_genes, "modules": n_modules, "workers": os.cpu_count() or 1, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for n_pairs in sizes:
            genes, pairs, modules = planted_pairs(n_genes, n_modules, n_pairs, within=0.8, seed=0)
            stem = Path(tmp) / f"pairs{n_pairs}"
            PairSet("bench", genes, pairs[:, 0], pairs[:, 1], np.zeros(len(pairs), np.float16)).save(stem)
            if n_pairs == sizes[0]:
                _write_text_pairs(stem.with_suffix(".txt"), genes, pairs)
            np.save(Path(tmp) / "modules.npy", modules)
            del pairs
            for method in ("authors", "ours"):
                if method == "authors" and n_pairs > sizes[0]:
                    continue         # ~0.4 GB of Python objects per million pairs: measured at the first size
                worker = _run_json(["pipeline.bench", "_embedding_worker", method, str(stem),
                                    str(Path(tmp) / "modules.npy")])
                results["runs"].append({"size": n_pairs, **worker})
    first = {r["method"]: r for r in results["runs"] if r["size"] == sizes[0]}
    results["speedup_pairs_per_s"] = round(first["ours"]["pairs_per_s"] / first["authors"]["pairs_per_s"], 2)
    results["targets"] = {"speedup_pairs_per_s": ">= 1.5", "ours_peak_mb_at_20M": "<= 200 above start",
                          "clusteredness": "ours >= authors'"}
    return results


def _embedding_worker(method: str, stem: Path, modules_file: Path) -> dict:
    from pipeline.coexpression import StoredPairs
    from pipeline.config import ClusterednessConfig, EmbeddingConfig
    from pipeline.embedding import PairCorpus, train_embedding
    from pipeline.evaluate import clusteredness

    config = EmbeddingConfig(epochs=1, min_count=1, workers=os.cpu_count() or 1, seed=0)
    base = _status_mb("VmRSS")
    started = time.perf_counter()
    if method == "ours":
        with tempfile.TemporaryDirectory() as tmp:
            corpus = PairCorpus.build([StoredPairs.open(stem)], Path(tmp))
            emb, _ = train_embedding(corpus, config)
        names, vectors, n_pairs = emb.genes, emb.vectors, corpus.n_pairs
    else:
        import random

        from gensim.models import Word2Vec

        random.seed(config.seed)
        sentences = []
        with open(stem.with_suffix(".txt"), encoding="windows-1252") as fh:   # as the authors read them
            for line in fh:
                sentences.append(line.strip().split())
        random.shuffle(sentences)
        n_pairs = len(sentences)
        model = Word2Vec(sentences=sentences, vector_size=config.dims, window=config.window,
                         min_count=config.min_count, sg=1, negative=config.negative, sample=config.sample,
                         workers=config.workers, seed=config.seed, epochs=1)
        names, vectors = np.array(model.wv.index_to_key), model.wv.vectors
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    modules = np.load(modules_file)
    gene_names = StoredPairs.open(stem).genes
    sets = {f"M{m}": list(gene_names[modules == m]) for m in range(int(modules.max()) + 1)}
    clus = clusteredness(names, vectors, sets, ClusterednessConfig(random_genes=1000))
    return {"method": method, "pairs": n_pairs, "seconds": round(seconds, 2),
            "pairs_per_s": round(n_pairs / seconds), "peak_rss_mb": round(peak, 1),
            "peak_above_start_mb": round(peak - base, 1),
            "mb_per_million_pairs": round((peak - base) / (n_pairs / 1e6), 1),
            "clusteredness_cosine": round(clus["cosine"]["ratio"], 3)}


def _write_text_pairs(path: Path, genes: np.ndarray, pairs: np.ndarray) -> None:
    """The authors' pair file format: one ``GENE_A GENE_B`` line a pair."""
    names = np.asarray(genes, dtype=str)
    with open(path, "w") as fh:
        for start in range(0, len(pairs), 1 << 20):
            chunk = pairs[start:start + (1 << 20)]
            fh.write("".join(f"{a} {b}\n" for a, b in zip(names[chunk[:, 0]], names[chunk[:, 1]])))


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc (VmRSS: now; VmHWM: its peak). Not
    getrusage's ru_maxrss: Linux carries that over exec from the forking parent."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":")) / 1024


# --- layout -----------------------------------------------------------------------------------

def bench_layout(quick: bool = False) -> dict:
    """Our layout of 25k genes, and ours vs scikit-learn's TSNE (Barnes-Hut, its defaults) on the
    same 5k points, with each one's KL divergence and 10-NN preservation: speed at what quality."""
    from sklearn.manifold import TSNE as SkTSNE

    from pipeline.config import LayoutConfig
    from pipeline.layout import neighbourhood_preservation, pca, tsne_layout, unit_rows

    n_big, n_small = (3000, 1000) if quick else (25000, 5000)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(60, 200))
    vectors = (centres[rng.integers(60, size=n_big)] + 0.8 * rng.normal(size=(n_big, 200))).astype(np.float32)
    config = LayoutConfig(seed=0)
    ours_big, _ = _time(lambda: tsne_layout(vectors, config))
    small = vectors[:n_small]
    ours_small, (ours_xy, ours_info) = _time(lambda: tsne_layout(small, config))
    same_iterations = replace(config, n_iter=1000 - config.early_exaggeration_iter)   # scikit-learn's 1,000
    long_xy, long_info = tsne_layout(small, same_iterations)
    reduced = pca(unit_rows(small), 50, 0)
    sk = SkTSNE(perplexity=30, random_state=0, init="pca")
    sklearn_small, sk_xy = _time(lambda: sk.fit_transform(reduced))
    return {"genes": n_big, "seconds": round(ours_big, 1), "small_genes": n_small,
            "ours_small_s": round(ours_small, 2), "sklearn_small_s": round(sklearn_small, 2),
            "speedup_vs_sklearn": round(sklearn_small / ours_small, 2),
            "ours_small_kl": ours_info["kl_divergence"], "sklearn_small_kl": round(float(sk.kl_divergence_), 4),
            "ours_small_10nn_kept": round(neighbourhood_preservation(small, ours_xy), 3),
            "sklearn_small_10nn_kept": round(neighbourhood_preservation(small, sk_xy), 3),
            "ours_1000_iterations": {"seconds": long_info["seconds"], "kl": long_info["kl_divergence"],
                                     "10nn_kept": round(neighbourhood_preservation(small, long_xy), 3),
                                     "speedup_vs_sklearn": round(sklearn_small / long_info["seconds"], 2)},
            "targets": {"seconds": "<= 60 at 25k genes", "speedup_vs_sklearn": ">= 3"}}


# --- app --------------------------------------------------------------------------------------

def bench_app(quick: bool = False, bundle: Path | None = None) -> dict:
    """The app's benchmark (:mod:`gene2vec_dash.bench`: server time of its queries, layout bytes,
    concurrent clients through Flask and gunicorn), run in a subprocess: the pipeline never imports the app."""
    return _run_json(["gene2vec_dash.bench", "--json", *(["--quick"] if quick else []),
                      *(["--bundle", str(bundle)] if bundle else [])])


def bench_browser(quick: bool = False, bundle: Path | None = None, tries: int = 8) -> dict:
    """The map in headless Chromium (:mod:`gene2vec_dash.bench_browser`: first paint, recolour, search,
    selection and list times beside the renderer's own floor), run in a subprocess."""
    missing = browser_needs()
    if missing:
        raise InputError(f"bench browser needs {missing}: pip install '.[bench]' (selenium) and "
                         "apt-get install chromium chromium-driver")
    return _run_json(["gene2vec_dash.bench_browser", "--json", "--tries", str(tries),
                      *(["--quick"] if quick else []), *(["--bundle", str(bundle)] if bundle else [])])


def browser_needs() -> str:
    """What the browser bench lacks here ("" when nothing): selenium, Chromium's driver."""
    import importlib.util
    import shutil

    return " and ".join(name for name, ok in (("selenium", importlib.util.find_spec("selenium") is not None),
                                              ("chromedriver", shutil.which("chromedriver") is not None)) if not ok)


def _run_json(module_and_args: list[str]) -> dict:
    """``python -m MODULE ARGS...`` from the repository root; the JSON object on its last line."""
    out = subprocess.run([sys.executable, "-m", *module_and_args], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    """A loopback port nobody listens on now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Poll ``url`` until it answers; RuntimeError if ``proc`` exits or ``timeout`` seconds pass."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start serving") from None
            time.sleep(0.5)


def synthetic_bundle(path: Path, n: int, dims: int = 200, seed: int = 0, n_sets: int = 1000) -> Path:
    """A bundle of ``n`` random genes with every column the app uses, and ``n_sets`` gene sets of
    5-500 genes (log-uniform sizes), for benchmarks."""
    import pandas as pd

    from pipeline.bundle import GENE_SETS, tissue_column, write_bundle
    from pipeline.config import PairModelConfig
    from pipeline.embedding import Embedding
    from pipeline.pairs import PairEncoder, save_pair_model

    rng = np.random.default_rng(seed)
    genes = np.array([f"G{k:05d}" for k in range(n)])
    frame = pd.DataFrame({"symbol": genes, "entrez": pd.array(np.arange(n), dtype="Int64"),
                          "ensembl": [f"ENSG{k:011d}" for k in range(n)], "type_of_gene": "protein-coding",
                          "gene_type": "protein_coding", "display_class": "protein-coding",
                          "description": "synthetic gene for benchmarks", "aliases": "",
                          "x": rng.normal(size=n).astype(np.float32) * 30,
                          "y": rng.normal(size=n).astype(np.float32) * 30})
    for tissue in ("adipose", "blood", "heart", "muscle"):
        frame[tissue_column("atlas", tissue)] = rng.normal(size=n).astype(np.float32)
    emb = Embedding(genes, rng.normal(size=(n, dims)).astype(np.float32) * 0.1)
    cfg = PairModelConfig()
    encoder = PairEncoder(dims, cfg.hidden, cfg.out, cfg.dropout)
    sizes = np.exp(rng.uniform(np.log(5), np.log(500), size=n_sets)).astype(int)
    sets = pd.DataFrame({"source": "synthetic", "name": np.repeat([f"set {k}" for k in range(n_sets)], sizes),
                         "gene": np.concatenate([rng.choice(genes, size, replace=False) for size in sizes])})

    def extra(folder: Path) -> None:
        save_pair_model(encoder, cfg, folder / "pairs.pt", {})
        sets.to_parquet(folder / GENE_SETS, index=False)

    return write_bundle(path, {"config": {}, "synthetic": True}, frame, emb, extra)


BENCHES = {"coexpression": bench_coexpression, "embedding": bench_embedding, "layout": bench_layout,
           "app": bench_app, "browser": bench_browser}

if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "_embedding_worker":
    print(json.dumps(_embedding_worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
