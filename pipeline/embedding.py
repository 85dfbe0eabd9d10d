"""Skip-gram word2vec over co-expression pairs, streamed from disk.

The authors fed gensim a Python list of 2-token lists (tens of GB for the full compendium).
Here the pairs of all data sets live in one int32 file; each epoch they are shuffled
out of core (scatter into random buckets, permute each bucket) and written as a text corpus
that gensim's ``corpus_file`` mode trains on with all workers and without the GIL. Memory is
one bucket plus the model, whatever the number of pairs.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, ClassVar, Iterable, Iterator

import numpy as np

from pipeline.coexpression import PairSet, StoredPairs
from pipeline.config import EmbeddingConfig
from pipeline.errors import InputError
from pipeline.npy import load_npy

log = logging.getLogger(__name__)

BUCKET_PAIRS = 1 << 20            # pairs held in memory at once while shuffling
ALPHABET = np.frombuffer(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)


@dataclass(frozen=True)
class PairCorpus:
    """Every context of a build on one vocabulary: ``pairs.i32`` holds (a, b) rows of gene ids."""

    vocab: np.ndarray             # str, sorted
    counts: np.ndarray            # int64: how often each gene occurs in a pair
    path: Path                    # int32 (n, 2) raw file
    n_pairs: int
    sources: tuple[dict, ...]     # name and pair count of each source

    @classmethod
    def build(cls, sources: Iterable[PairSet | StoredPairs], folder: Path) -> "PairCorpus":
        """Merge pair sets (in memory, or streamed from disk) into ``folder``, a chunk at a time.

        A pair found in k data sets appears k times, as in the paper."""
        sources = list(sources)
        vocab = np.unique(np.concatenate([np.asarray(src.genes, dtype=str) for src in sources]
                                         or [np.empty(0, str)]))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "pairs.i32"
        counts = np.zeros(len(vocab), dtype=np.int64)
        records, n = [], 0
        with open(path, "wb") as fh:
            for src in sources:
                ids = np.searchsorted(vocab, np.asarray(src.genes, dtype=str)).astype(np.int32)
                size = 0
                for chunk in src.chunks(BUCKET_PAIRS):
                    pairs = ids[chunk]
                    pairs.tofile(fh)
                    counts += np.bincount(pairs.ravel(), minlength=len(vocab))
                    size += len(pairs)
                records.append({"name": src.name, "pairs": size})
                n += size
        if n == 0:
            raise InputError("no co-expression pairs to train on: lower the threshold or add data sets")
        return cls(vocab, counts, path, n, tuple(records))

    def chunks(self, keep: np.ndarray | None = None) -> Iterator[np.ndarray]:
        """The pairs in file order, BUCKET_PAIRS at a time (plain reads: memory stays one chunk);
        ``keep`` (bool per gene) drops pairs with a gene outside it."""
        with open(self.path, "rb") as fh:
            for _ in range(0, self.n_pairs, BUCKET_PAIRS):
                chunk = np.fromfile(fh, dtype=np.int32, count=2 * BUCKET_PAIRS).reshape(-1, 2)
                yield chunk[keep[chunk].all(axis=1)] if keep is not None else chunk

    def shuffled(self, seed: int, keep: np.ndarray | None = None) -> Iterator[np.ndarray]:
        """The pairs in a uniformly random order, in chunks of about BUCKET_PAIRS.

        Out of core: every pair goes to a random bucket file, then each bucket is permuted
        in memory."""
        rng = np.random.default_rng(seed)
        n_buckets = max(1, -(-self.n_pairs // BUCKET_PAIRS))
        if n_buckets == 1:
            chunk = next(self.chunks(keep))
            yield chunk[rng.permutation(len(chunk))]
            return
        with tempfile.TemporaryDirectory(dir=self.path.parent) as tmp:
            for chunk in _scattered(self.chunks(keep), lambda c: rng.integers(n_buckets, size=len(c)),
                                    n_buckets, Path(tmp)):
                yield chunk[rng.permutation(len(chunk))]

    def capped(self, max_repeats: int, folder: Path) -> "PairCorpus":
        """The corpus with each pair kept at most ``max_repeats`` times (a pair found in many data
        sets otherwise dominates its genes' contexts). Out of core: pairs are bucketed by a hash
        of the pair, so that every copy of a pair meets in one bucket."""
        n_genes = len(self.vocab)
        n_buckets = max(1, -(-self.n_pairs // BUCKET_PAIRS))

        def code(chunk: np.ndarray) -> np.ndarray:
            return chunk.min(axis=1).astype(np.int64) * n_genes + chunk.max(axis=1)

        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "pairs.capped.i32"
        counts = np.zeros(n_genes, dtype=np.int64)
        n = 0
        with tempfile.TemporaryDirectory(dir=folder) as tmp, open(path, "wb") as fh:
            for chunk in _scattered(self.chunks(), lambda c: (code(c) * 0x9E3779B1) % n_buckets, n_buckets,
                                    Path(tmp)):
                unique, seen = np.unique(code(chunk), return_counts=True)
                kept = np.repeat(unique, np.minimum(seen, max_repeats))
                pairs = np.column_stack(np.divmod(kept, n_genes)).astype(np.int32)
                pairs.tofile(fh)
                counts += np.bincount(pairs.ravel(), minlength=n_genes)
                n += len(pairs)
        return PairCorpus(self.vocab, counts, path, n, self.sources)

    def tokens(self) -> np.ndarray:
        """A short fixed-width token for every gene (``uint8`` rows of base-62 digits): the corpus
        written with them is 8 bytes a pair, so writing and parsing it costs little."""
        width = 1
        while len(ALPHABET) ** width < len(self.vocab):
            width += 1
        index = np.arange(len(self.vocab))
        digits = [(index // len(ALPHABET) ** k) % len(ALPHABET) for k in reversed(range(width))]
        return ALPHABET[np.column_stack(digits)]

    def write_epoch(self, path: Path, seed: int, keep: np.ndarray) -> int:
        """One shuffled epoch as a gensim LineSentence file, ``TOKEN_A TOKEN_B`` a line (see
        :meth:`tokens`); returns the number of pairs written."""
        table = self.tokens()
        width = table.shape[1]
        written = 0
        with open(path, "wb") as fh:
            for chunk in self.shuffled(seed, keep):
                lines = np.empty((len(chunk), 2 * width + 2), dtype=np.uint8)
                lines[:, :width] = table[chunk[:, 0]]
                lines[:, width] = ord(" ")
                lines[:, width + 1:-1] = table[chunk[:, 1]]
                lines[:, -1] = ord("\n")
                fh.write(lines.tobytes())
                written += len(chunk)
        return written


def _scattered(chunks: Iterator[np.ndarray], bucket_of: Callable[[np.ndarray], np.ndarray], n_buckets: int,
               tmp: Path) -> Iterator[np.ndarray]:
    """Write every pair of ``chunks`` to the bucket file ``bucket_of`` gives it, then yield the
    buckets one at a time (memory: one chunk or one bucket)."""
    files = [open(tmp / f"{b}.i32", "wb") for b in range(n_buckets)]
    try:
        for chunk in chunks:
            bucket = bucket_of(chunk)
            order = np.argsort(bucket, kind="stable")
            bounds = np.searchsorted(bucket[order], np.arange(n_buckets + 1))
            for b in range(n_buckets):
                chunk[order[bounds[b]:bounds[b + 1]]].tofile(files[b])
    finally:
        for f in files:
            f.close()
    for b in range(n_buckets):
        yield np.fromfile(tmp / f"{b}.i32", dtype=np.int32).reshape(-1, 2)


@dataclass(frozen=True)
class Embedding:
    """Gene vectors: row k of ``vectors`` belongs to ``genes[k]``."""

    genes: np.ndarray             # str
    vectors: np.ndarray           # float32 (n, dims)
    FILES: ClassVar[tuple[str, ...]] = ("embedding.npy", "embedding.genes.txt", "embedding.w2v.txt")

    def __post_init__(self) -> None:
        if len(self.genes) != len(self.vectors):
            raise InputError(f"{len(self.genes)} genes but {len(self.vectors)} vectors")

    def index(self) -> dict[str, int]:
        return {g: k for k, g in enumerate(self.genes)}

    def save(self, folder: Path) -> None:
        """word2vec text format (readable by gensim and the paper's tools) plus a fast .npy copy."""
        np.save(folder / "embedding.npy", self.vectors.astype(np.float32))
        (folder / "embedding.genes.txt").write_text("\n".join(self.genes) + "\n")
        with open(folder / "embedding.w2v.txt", "w") as fh:
            fh.write(f"{len(self.genes)} {self.vectors.shape[1]}\n")
            for gene, row in zip(self.genes, self.vectors):
                fh.write(gene + " " + " ".join(f"{x:.6g}" for x in row) + "\n")

    @classmethod
    def load(cls, folder: Path) -> "Embedding":
        genes = np.array((folder / "embedding.genes.txt").read_text().split("\n")[:-1])
        return cls(genes, load_npy(folder / "embedding.npy"))


def _gensim_model(config: EmbeddingConfig):
    from gensim.models import Word2Vec

    return Word2Vec(vector_size=config.dims, window=config.window, min_count=config.min_count,
                    sg=1, hs=0, negative=config.negative, sample=config.sample, alpha=config.alpha,
                    min_alpha=config.min_alpha, workers=config.workers, seed=config.seed)


def embed(corpus: PairCorpus, config: EmbeddingConfig, progress: Callable[[Iterable], Iterable] = lambda it: it,
          checkpoints: Path | None = None) -> tuple[Embedding, Embedding | None, dict]:
    """The embedding ``config.method`` makes of the corpus, and (when it was centred or combined)
    the method's own vectors before that, so that figures can be given with and without."""
    from pipeline.layout import unit_rows

    if config.max_pair_repeats:
        corpus = corpus.capped(config.max_pair_repeats, corpus.path.parent)
    if config.method == "ppmi-svd":
        raw = ppmi_embedding(corpus, config)
        stats = {"genes_in_pairs": int((corpus.counts > 0).sum()), "genes_embedded": len(raw.genes),
                 "pairs": corpus.n_pairs, "epochs": []}
    else:
        raw, stats = train_embedding(corpus, config, progress=progress, checkpoints=checkpoints)
    emb = Embedding(raw.genes, postprocess(raw.vectors, config.centre, config.remove_top)) if (
        config.centre or config.remove_top) else raw
    if config.method == "skipgram+ppmi":
        other = ppmi_embedding(corpus, config)
        if not np.array_equal(other.genes, emb.genes):
            raise InputError("skip-gram and PPMI-SVD embedded different genes")   # both keep counts >= min_count
        emb = Embedding(emb.genes, np.hstack([unit_rows(emb.vectors), unit_rows(other.vectors)]).astype(np.float32))
    return emb, None if emb is raw else raw, stats


def postprocess(vectors: np.ndarray, centre: bool, remove_top: int) -> np.ndarray:
    """Centred and, with ``remove_top``, the top principal directions of the centred unit rows
    projected out ("all-but-the-top", Mu & Viswanath, ICLR 2018). Skip-gram gives every gene a common
    direction, and the genes seen in few pairs share one more: they barely move from where training
    pushes all of them. On unit rows every gene weighs the same in the PCA, so that shared direction
    is found (on raw vectors the well-seen genes' larger norms dominate it, and the cone stays)."""
    from pipeline.layout import unit_rows

    x = np.asarray(vectors, dtype=np.float64)
    if centre or remove_top:
        x = x - x.mean(axis=0)
    if remove_top:
        x = unit_rows(x)
        x = x - x.mean(axis=0)
        top = np.linalg.svd(x, full_matrices=False)[2][:remove_top]
        x = x - (x @ top.T) @ top
    return x.astype(np.float32)


def ppmi_embedding(corpus: PairCorpus, config: EmbeddingConfig) -> Embedding:
    """PPMI + truncated SVD of the corpus's co-occurrence counts, on skip-gram's vocabulary
    (genes in >= min_count pairs)."""
    from pipeline.ppmi import cooccurrence, ppmi, svd_vectors

    keep = corpus.counts >= config.min_count
    if not keep.any():
        raise InputError(f"no gene occurs in >= {config.min_count} pairs (min_count): nothing to embed")
    index = np.cumsum(keep) - 1
    counts = cooccurrence((index[c] for c in corpus.chunks(keep)), int(keep.sum()))
    return Embedding(corpus.vocab[keep], svd_vectors(ppmi(counts, config.ppmi_alpha), config.dims, config.svd_power,
                                                     config.seed))


def _pair_epochs(corpus: PairCorpus, config: EmbeddingConfig, keep: np.ndarray) -> Callable[[Path, int], tuple]:
    """Each epoch: every pair once, in a new seeded order (sentences, words written)."""
    def write(path: Path, epoch: int) -> tuple[int, int]:
        n = corpus.write_epoch(path, seed=config.seed * 1_000_003 + epoch, keep=keep)
        return n, 2 * n
    return write


def _walk_epochs(corpus: PairCorpus, config: EmbeddingConfig, keep: np.ndarray) -> Callable[[Path, int], tuple]:
    """Each epoch: new seeded random walks over the weighted co-expression graph of the vocabulary."""
    from pipeline.ppmi import cooccurrence
    from pipeline.walks import walks

    graph = cooccurrence(corpus.chunks(keep), len(corpus.vocab))
    table = corpus.tokens()
    width = table.shape[1] + 1

    def write(path: Path, epoch: int) -> tuple[int, int]:
        sentences = words = 0
        with open(path, "wb") as fh:
            for walk in walks(graph, config.walk_length, config.walks_per_gene, config.walk_p, config.walk_q,
                              seed=config.seed * 1_000_003 + epoch):
                lines = np.full((len(walk), walk.shape[1], width), ord(" "), dtype=np.uint8)
                lines[:, :, :-1] = table[walk]
                lines[:, -1, -1] = ord("\n")
                fh.write(lines.tobytes())
                sentences, words = sentences + len(walk), words + walk.size
        return sentences, words
    return write


def train_embedding(corpus: PairCorpus, config: EmbeddingConfig,
                    on_epoch: Callable[[int, Embedding], dict | None] | None = None,
                    progress: Callable[[Iterable], Iterable] = lambda it: it,
                    checkpoints: Path | None = None) -> tuple[Embedding, dict]:
    """Train skip-gram on the corpus: on its pairs (``skipgram-pairs``), or on random walks over
    the graph they make (``skipgram-walks``).

    The learning rate decays linearly over all epochs, as in one gensim call with ``epochs=N``;
    each epoch sees the pairs in a new seeded order. ``on_epoch(epoch, embedding)`` may return
    figures to record for that epoch (the build records clusteredness, as the paper chose its
    epoch by it). With ``checkpoints``, the model is saved after every epoch and a rerun
    continues after the last saved one."""
    walking = config.method == "skipgram-walks"
    tokens = np.array([row.tobytes().decode() for row in corpus.tokens()])
    model, done, stats = _resume(checkpoints)
    if model is None:
        model = _gensim_model(replace(config, window=config.walk_window) if walking else config)
        model.build_vocab_from_freq({t: int(c) for t, c in zip(tokens, corpus.counts) if c > 0})
        if not len(model.wv):
            raise InputError(f"no gene occurs in >= {config.min_count} pairs (min_count): nothing to embed")
        stats = {"genes_in_pairs": int((corpus.counts > 0).sum()), "genes_embedded": len(model.wv),
                 "pairs": corpus.n_pairs, "epochs": []}
    keep = np.isin(tokens, model.wv.index_to_key)
    write = (_walk_epochs if walking else _pair_epochs)(corpus, config, keep)
    gene_of = dict(zip(tokens, corpus.vocab))
    span = config.alpha - config.min_alpha
    unit = "walks" if walking else "pairs"
    with tempfile.TemporaryDirectory(dir=corpus.path.parent) as tmp:
        text = Path(tmp) / "epoch.txt"
        for epoch in progress(range(config.epochs)):
            if epoch < done:
                continue
            started = time.perf_counter()
            sentences, words = write(text, epoch)
            model.train(corpus_file=str(text), total_words=words, total_examples=sentences, epochs=1,
                        start_alpha=config.alpha - span * epoch / config.epochs,
                        end_alpha=config.alpha - span * (epoch + 1) / config.epochs)
            record = {"epoch": epoch + 1, f"{unit}_trained": sentences}
            if on_epoch is not None:
                record.update(on_epoch(epoch + 1, _embedding(model, gene_of)) or {})
            stats["epochs"].append(record)
            log.info("embedding: epoch %d/%d, %s %s in %.0f s%s", epoch + 1, config.epochs, f"{sentences:,}", unit,
                     time.perf_counter() - started, "".join(f", {k} {v}" for k, v in record.items()
                                                            if k not in ("epoch", f"{unit}_trained")))
            if checkpoints is not None:
                _checkpoint(model, stats, checkpoints, epoch + 1)
    return _embedding(model, gene_of), stats


def _checkpoint(model, stats: dict, folder: Path, epoch: int) -> None:
    """Save the model after ``epoch`` into ``folder/epoch-NNN`` (renamed into place when
    complete), then drop older checkpoints."""
    final = folder / f"epoch-{epoch:03d}"
    tmp = folder / f".epoch-{epoch:03d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model.save(str(tmp / "model"))
    (tmp / "stats.json").write_text(json.dumps(stats))
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    for old in folder.glob("epoch-*"):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)


def _resume(folder: Path | None):
    """(model, epochs done, stats) from the latest complete checkpoint, or (None, 0, None)."""
    from gensim.models import Word2Vec

    if folder is None:
        return None, 0, None
    for path in sorted(folder.glob("epoch-*"), reverse=True):
        try:
            model = Word2Vec.load(str(path / "model"))
            stats = json.loads((path / "stats.json").read_text())
        except (OSError, ValueError, EOFError) as exc:
            log.warning("checkpoint %s unreadable (%s): ignored", path.name, exc.__class__.__name__)
            continue
        log.info("embedding: resuming after epoch %d", int(path.name.split("-")[1]))
        return model, int(path.name.split("-")[1]), stats
    return None, 0, None


def _embedding(model, gene_of: dict[str, str]) -> Embedding:
    genes = np.array([gene_of[t] for t in model.wv.index_to_key])
    order = np.argsort(genes)
    return Embedding(genes[order], np.asarray(model.wv.vectors, dtype=np.float32)[order])


