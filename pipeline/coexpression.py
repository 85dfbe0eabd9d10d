"""Co-expression contexts: gene pairs whose Pearson r over a data set's samples is >= threshold.

The correlation is one float32 GEMM per block of rows against the rows after it (the upper
triangle only), so memory stays at one block (~256 MB) whatever the number of genes, and the
time stays close to BLAS's. Pairs are kept as int32 index arrays, never as Python objects.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import time
import zlib
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from pipeline.cache import digest, file_sha256
from pipeline.config import CoexpressionConfig
from pipeline.errors import InputError
from pipeline.npy import load_npy
from pipeline.preprocess import Preprocessed, preprocess

log = logging.getLogger(__name__)

FORMAT = 3                       # bump when the pair file layout or the science changes (3: CRC-32 of each file)
BLOCK_BYTES = 256 << 20
DEFAULT_GENE_TABLE = Path(__file__).resolve().parent / "demo_data" / "genes.parquet"
DAMAGED = "damaged: its CRC-32 differs from the one written with it (coexpress recomputes it)"


def standardise(values: np.ndarray) -> np.ndarray:
    """Rows centred and scaled to unit norm (float32), so that z @ z.T is Pearson's r."""
    x = np.asarray(values, dtype=np.float64)
    x = x - x.mean(axis=1, keepdims=True)
    norm = np.sqrt(np.einsum("ij,ij->i", x, x))
    if (norm == 0).any():
        raise InputError(f"{int((norm == 0).sum())} constant rows: their correlation is undefined")
    return (x / norm[:, None]).astype(np.float32)


def correlated_pairs(values: np.ndarray, threshold: float, block_rows: int = 0, top_k: int = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of rows with Pearson r >= ``threshold``: (i, j, r) as int32, int32, float32.

    With ``top_k``, a pair must also be among the k best partners of one of its two genes:
    every gene keeps its strongest contexts, and no clique of thousands of genes (a batch
    effect, a proliferation signature) can swamp a data set."""
    z = standardise(values)
    n = z.shape[0]
    rows = block_rows or max(64, min(n, BLOCK_BYTES // (4 * max(n, 1))))
    parts_i, parts_j, parts_r = [], [], []
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        b = stop - start
        if top_k:
            block = z[start:stop] @ z.T                 # every partner is a candidate
            block[np.arange(b), np.arange(start, stop)] = -np.inf
            k = min(top_k, n - 1)
            jj = np.argpartition(-block, k - 1, axis=1)[:, :k]
            rr = np.take_along_axis(block, jj, axis=1)
            ii = np.broadcast_to(np.arange(start, stop)[:, None], jj.shape)
            keep = rr >= threshold
            ii, jj, rr = ii[keep], jj[keep], rr[keep]
        else:
            block = z[start:stop] @ z[start:].T        # r of rows [start, stop) with rows >= start
            block[:, :b][np.tri(b, dtype=bool)] = -np.inf   # keep j > i only
            hit = np.flatnonzero(block >= threshold)
            ii, jj = np.divmod(hit, block.shape[1])
            jj, rr = jj + start, block.ravel()[hit]
            ii = ii + start
        parts_i.append(ii.astype(np.int32))
        parts_j.append(jj.astype(np.int32))
        parts_r.append(rr.astype(np.float32))
    if not parts_i:
        return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float32)
    i, j, r = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_r)
    if top_k:                                           # (i, j) and (j, i) may both be top-k: once
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        _, first = np.unique(lo.astype(np.int64) * n + hi, return_index=True)
        i, j, r = lo[first], hi[first], r[first]
    return i, j, r


@dataclass(frozen=True)
class PairSet:
    """One data set's contexts: pairs of indices into ``genes`` and their r (NaN if not measured)."""

    name: str
    genes: np.ndarray           # str
    i: np.ndarray               # int32
    j: np.ndarray               # int32
    r: np.ndarray               # float16

    def __len__(self) -> int:
        return len(self.i)

    def save(self, stem: Path, key: str = "") -> None:
        """``stem.pairs.npy`` (int32 n x 2) and ``stem.r.npy`` (float16), streamed on load, so a
        data set of any size fits; ``stem.meta.npz`` (genes, key, the CRC-32 of each array),
        written last, marks a complete set."""
        arrays = {".pairs.npy": np.ascontiguousarray(np.column_stack([self.i, self.j]), dtype=np.int32),
                  ".r.npy": np.ascontiguousarray(self.r, dtype=np.float16)}
        for suffix, array in arrays.items():
            _atomic_save(stem.with_name(stem.name + suffix), lambda fh, a=array: np.save(fh, a))
        _atomic_save(stem.with_name(stem.name + ".meta.npz"), lambda fh: np.savez(
            fh, name=np.array(self.name), genes=np.asarray(self.genes).astype(str), key=np.array(key),
            format=np.array(FORMAT), n=np.array(len(self.i)),
            crc32=np.array([zlib.crc32(a) for a in arrays.values()], dtype=np.int64)))

    @classmethod
    def load(cls, stem: Path) -> "PairSet":
        """Read a stored set into memory (:class:`StoredPairs` streams it instead)."""
        stored = StoredPairs.open(stem)
        pairs = np.concatenate(list(stored.chunks(max(stored.n, 1)))) if stored.n else np.empty((0, 2), np.int32)
        path = stem.with_name(stem.name + ".r.npy")
        r = load_npy(path)
        if r.shape != (stored.n,) or zlib.crc32(r) != stored.r_crc32:
            raise InputError(DAMAGED, path)
        return cls(stored.name, stored.genes, pairs[:, 0], pairs[:, 1], r)

    def chunks(self, size: int) -> Iterator[np.ndarray]:
        """The pairs as (k, 2) int32 arrays of at most ``size`` rows."""
        for start in range(0, len(self.i), size):
            yield np.column_stack([self.i[start:start + size], self.j[start:start + size]]).astype(np.int32)

    @staticmethod
    def stored_key(stem: Path) -> str | None:
        """The cache key a pair set was written with (None if absent, incomplete or unreadable)."""
        try:
            return StoredPairs.open(stem).key
        except Exception:  # a truncated, damaged, older or foreign file is simply recomputed
            return None

    def gene_pairs(self) -> Iterator[tuple[str, str]]:
        """Readable pairs, for small sets and tests only."""
        return zip(self.genes[self.i], self.genes[self.j])


@dataclass(frozen=True)
class StoredPairs:
    """A pair set on disk, read a chunk at a time with plain reads (not memory-mapped, whose
    touched pages would count as resident): memory stays one chunk whatever the set's size."""

    stem: Path
    name: str
    genes: np.ndarray
    n: int
    offset: int                 # where the .npy data starts
    key: str                    # the cache key it was written under
    r_crc32: int                # of the r array (checked by PairSet.load, the one reader of r)

    @classmethod
    def open(cls, stem: Path) -> "StoredPairs":
        """The set's description, once its pair file is complete and its checksum matches: a
        same-size damaged file would otherwise feed out-of-range gene ids to every reader."""
        path = stem.with_name(stem.name + ".pairs.npy")
        try:
            with np.load(stem.with_name(stem.name + ".meta.npz"), allow_pickle=False) as meta:
                name, genes, n = str(meta["name"]), meta["genes"], int(meta["n"])
                key, written_format = str(meta["key"]), int(meta["format"])
                if written_format != FORMAT:
                    raise InputError(f"pair set of format {written_format}, this program reads {FORMAT}: "
                                     "rerun coexpress", stem)
                pairs_crc32, r_crc32 = (int(c) for c in meta["crc32"])
            with open(path, "rb") as fh:
                version = np.lib.format.read_magic(fh)
                header = {(1, 0): np.lib.format.read_array_header_1_0,
                          (2, 0): np.lib.format.read_array_header_2_0}[version]
                shape, _, dtype = header(fh)
                offset = fh.tell()
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"not a complete pair set ({exc.__class__.__name__}: {exc})", stem) from None
        if shape != (n, 2) or dtype != np.int32 or path.stat().st_size != offset + 8 * n:
            raise InputError(f"pair file holds {shape} {dtype}, expected ({n}, 2) int32 (truncated?)", stem)
        if _crc32(path, offset) != pairs_crc32:
            raise InputError(DAMAGED, path)
        return cls(stem, name, genes, n, offset, key, r_crc32)

    def chunks(self, size: int) -> Iterator[np.ndarray]:
        with open(self.stem.with_name(self.stem.name + ".pairs.npy"), "rb") as fh:
            fh.seek(self.offset)
            for _ in range(0, self.n, size):
                yield np.fromfile(fh, dtype=np.int32, count=2 * size).reshape(-1, 2)


def _crc32(path: Path, offset: int) -> int:
    """CRC-32 of a file's bytes from ``offset``: a third of SHA-256's cost (measured), and damage, not
    tampering, is what a pair file must survive."""
    crc, buffer = 0, bytearray(1 << 20)
    with open(path, "rb") as fh:
        fh.seek(offset)
        while size := fh.readinto(buffer):
            crc = zlib.crc32(memoryview(buffer)[:size], crc)
    return crc


def _atomic_save(path: Path, write: Callable) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
    os.replace(tmp, path)


def pairs_of(data: Preprocessed, config: CoexpressionConfig) -> PairSet:
    i, j, r = correlated_pairs(data.values, config.threshold, config.block_rows, config.top_k)
    return PairSet(data.name, np.asarray(data.genes, dtype=str), i, j, r.astype(np.float16))


# --- many data sets ----------------------------------------------------------------------

def task_key(sha256: str, config: CoexpressionConfig, genes_sha256: str) -> str:
    return digest({"input": sha256, "threshold": config.threshold, "min_samples": config.min_samples,
                   "top_k": config.top_k, "components": config.components, "platform": config.platform,
                   "genes": genes_sha256, "format": FORMAT})


@functools.lru_cache(maxsize=2)
def _gene_table(path: str):
    """The gene table that names genes (cached per worker: tasks of one run share it)."""
    from pipeline.sources.genes import read_gene_table

    return read_gene_table(path)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def process_input(path: str, out_dir: str, config: CoexpressionConfig, blas_threads: int = 0,
                  gene_table: str = "") -> list[dict]:
    """One task: read a file (one or more data sets), name its genes with today's symbols,
    preprocess, correlate, write pair files.

    Returns one record per data set: ``{"name", "source", "pairs", ...}`` or ``{"source", "reason"}``.
    Results already in ``out_dir`` under the same key are reused (resume)."""
    from threadpoolctl import threadpool_limits

    from pipeline.sources import read_expression_sets

    src = Path(path)
    out = Path(out_dir)
    table_path = gene_table or str(DEFAULT_GENE_TABLE)
    try:
        key = task_key(file_sha256(src), config, file_sha256(Path(table_path)))
    except OSError as exc:
        return [{"source": path, "reason": f"cannot read ({exc.strerror})"}]
    done = out / f"{_safe(src.name)}.{key}.json"
    if done.exists():
        try:
            records = json.loads(done.read_text())
            if all("reason" in r or PairSet.stored_key(out / r["file"]) == key for r in records):
                return [{**r, "cached": True} for r in records]
        except (ValueError, KeyError):
            pass  # a damaged record is recomputed
    started = time.perf_counter()
    try:
        sets = read_expression_sets(src, config.platform)
    except InputError as exc:
        return [{"source": path, "reason": exc.problem}]
    records = []
    for es in sets:
        record = {"name": es.name, "source": path}
        if len(es.samples) < config.min_samples:
            records.append({**record, "reason": f"only {len(es.samples)} samples (< {config.min_samples})"})
            continue
        try:
            data = preprocess(es, _gene_table(table_path).current_symbols(es.features), config.components)
            with threadpool_limits(blas_threads or None):
                ps = pairs_of(data, config)
        except InputError as exc:
            records.append({**record, "reason": exc.problem})
            continue
        file = f"{_safe(es.name)}.{key}"
        ps.save(out / file, key)
        records.append({**record, "file": file, "genes": int(len(data.genes)), "samples": len(es.samples),
                        "pairs": len(ps), "seconds": round(time.perf_counter() - started, 3),
                        "preprocess": data.report})
    done.write_text(json.dumps(records))
    return records


def preprocessed_sets(paths: Iterable[str | Path], config: CoexpressionConfig, gene_table: str = ""
                      ) -> Iterator[Preprocessed]:
    """The usable data sets of ``paths`` after preprocessing, one at a time (what the co-expression
    stage correlated; it reported those it skipped): for baselines that need the raw correlations."""
    from pipeline.sources import read_expression_sets

    table = _gene_table(gene_table or str(DEFAULT_GENE_TABLE))
    for path in paths:
        for es in read_expression_sets(path, config.platform):
            if len(es.samples) < config.min_samples:
                continue
            try:
                yield preprocess(es, table.current_symbols(es.features), config.components)
            except InputError:
                continue


SCHEDULERS = ("threads", "processes", "dask")


def _local_executor(scheduler: str, workers: int) -> Executor:
    return (ThreadPoolExecutor if scheduler == "threads" else ProcessPoolExecutor)(max_workers=workers)


def run_coexpression(inputs: Iterable[str | Path], out_dir: str | Path, config: CoexpressionConfig,
                     scheduler: str = "threads", workers: int = 0, gene_table: str = "",
                     progress: Callable[[Iterable], Iterable] = lambda it: it) -> dict:
    """Every input file as one task on the chosen scheduler; returns the run summary.

    ``scheduler``: ``threads`` / ``processes`` locally, ``dask`` for a local Dask cluster, or a
    ``tcp://host:port`` address of a running dask.distributed scheduler. BLAS threads per task
    are capped so that tasks x threads fits the cores; results do not depend on the scheduler.
    ``gene_table``: NCBI gene_info or the compendium's table (default) that names the genes."""
    paths = [str(Path(p).resolve()) for p in inputs]
    for p in paths:
        if not Path(p).exists():
            raise InputError("input file not found", p)
    if scheduler not in SCHEDULERS and not scheduler.startswith("tcp://"):
        raise InputError(f"unknown scheduler {scheduler!r}: use threads, processes, dask or tcp://HOST:PORT")
    out = Path(out_dir)
    cores = os.cpu_count() or 1
    workers = max(1, min(workers or cores, len(paths) or 1))
    dask = None if scheduler in ("threads", "processes") else _connect(scheduler, workers)   # before --out is made
    out.mkdir(parents=True, exist_ok=True)
    blas = max(1, cores // workers)
    started = time.perf_counter()
    if scheduler in ("threads", "processes"):
        with _local_executor(scheduler, workers) as pool:
            futures = [pool.submit(process_input, p, str(out), config, blas, gene_table) for p in paths]
            results = [f.result() for f in progress(futures)]
    else:
        results = _run_dask(dask, paths, out, config, workers, gene_table, progress)
    records = [r for rs in results for r in rs]
    used = [r for r in records if "reason" not in r]
    summary = {
        "config": asdict(config),
        "scheduler": scheduler,
        "datasets_used": used,
        "datasets_skipped": [r for r in records if "reason" in r],
        "pairs": int(sum(r["pairs"] for r in used)),
        "genes": _distinct_genes([out / r["file"] for r in used]),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def _connect(scheduler: str, workers: int) -> tuple:
    """(local cluster or None, client): a local Dask cluster, or the scheduler at ``tcp://...``
    (one line when nothing answers there)."""
    from dask.distributed import Client, LocalCluster

    if scheduler == "dask":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.WARNING)
        return cluster, Client(cluster)
    try:
        return None, Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise InputError(f"no Dask scheduler answers at {scheduler} within 10 s ({exc.__class__.__name__}); "
                         "start one (dask scheduler) or use --scheduler threads") from None


def _run_dask(dask: tuple, paths: list[str], out: Path, config: CoexpressionConfig, workers: int,
              gene_table: str, progress: Callable) -> list[list[dict]]:
    from dask.distributed import as_completed

    cluster, client = dask
    try:
        blas = max(1, (os.cpu_count() or 1) // workers) if cluster else 1
        futures = client.map(process_input, paths, out_dir=str(out), config=config, blas_threads=blas,
                             gene_table=gene_table, pure=False)
        for _ in progress(as_completed(futures)):
            pass
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _distinct_genes(files: list[Path]) -> int:
    genes: set[str] = set()
    for f in files:
        stored = StoredPairs.open(f)
        used = np.zeros(len(stored.genes), dtype=bool)
        for chunk in stored.chunks(1 << 20):
            used[chunk.ravel()] = True
        genes.update(stored.genes[used].tolist())
    return len(genes)


def load_pair_sets(out_dir: str | Path) -> list[PairSet]:
    """The pair files of a ``coexpress`` run, in the order of its summary."""
    out = Path(out_dir)
    try:
        summary = json.loads((out / "summary.json").read_text())
    except FileNotFoundError:
        raise InputError("no summary.json: not a coexpress output folder", out) from None
    return [PairSet.load(out / r["file"]) for r in summary["datasets_used"]]
