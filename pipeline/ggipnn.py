"""GGIPNN: does a pair of genes interact (share a GO process), from their two vectors alone?

The paper's network: concat(v_a, v_b) -> 100 -> 100 -> 10 -> 2 with ReLU and dropout 0.5 on
the first two layers, Adam (lr 1e-3), batch 128, the embedding frozen (or trainable). Genes
without a vector get U(-0.25, 0.25). The authors trained one epoch and kept it; we train up to
``max_epochs`` and keep the epoch with the best validation AUC (early stopping).
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from pipeline.config import GGIPNNConfig
from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.sources.textfile import open_text

log = logging.getLogger(__name__)
UNKNOWN_RANGE = 0.25
MODEL_FORMAT = "gene2vec-dash ggipnn"


class PairClassifier(nn.Module):
    """The MLP over concatenated vectors; logits for (no interaction, interaction)."""

    def __init__(self, dims: int, hidden: tuple[int, ...] = (100, 100, 10), dropout: float = 0.5):
        super().__init__()
        layers: list[nn.Module] = []
        width = 2 * dims
        for k, h in enumerate(hidden):
            layers += [nn.Linear(width, h), nn.ReLU()]
            if k < 2:                                   # the paper's dropout: first two layers
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, 2))
        self.net = nn.Sequential(*layers)
        self.dims = dims

    def forward(self, va: torch.Tensor, vb: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([va, vb], dim=1))


class GGIPNN(nn.Module):
    """Embedding lookup + :class:`PairClassifier`; the table holds only the genes of the pairs."""

    def __init__(self, table: torch.Tensor, config: GGIPNNConfig):
        super().__init__()
        # sparse gradients: a step touches 256 rows, not the whole table (lazy Adam below)
        self.embedding = nn.Embedding.from_pretrained(table, freeze=not config.trainable, sparse=config.trainable)
        self.classifier = PairClassifier(table.shape[1], config.hidden, config.dropout)

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embedding(pairs[:, 0]), self.embedding(pairs[:, 1]))


@dataclass(frozen=True)
class PairData:
    """Labelled gene pairs as read from the paper's predictionData format."""

    genes_a: np.ndarray
    genes_b: np.ndarray
    labels: np.ndarray

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "PairData":
        return cls(frame["gene_a"].to_numpy(dtype=str), frame["gene_b"].to_numpy(dtype=str),
                   frame["label"].to_numpy(dtype=np.int64))

    def genes(self) -> set[str]:
        return set(self.genes_a) | set(self.genes_b)


def read_pairs(pairs_path: str | Path, labels_path: str | Path) -> PairData:
    """``GENE_A GENE_B`` a line + ``0``/``1`` a line (the paper's predictionData format)."""
    pairs_path, labels_path = Path(pairs_path), Path(labels_path)
    rows = _lines(pairs_path)
    labels = _lines(labels_path)
    if not rows:
        raise InputError("no pairs", pairs_path)
    if len(rows) != len(labels):
        raise InputError(f"{len(labels)} labels for {len(rows)} pairs in {pairs_path.name}", labels_path)
    tokens = [r.split() for r in rows]
    for k, t in enumerate(tokens):
        if len(t) != 2:
            raise InputError(f"line {k + 1} has {len(t)} fields, expected 'GENE_A GENE_B'", pairs_path)
    bad = next((k for k, v in enumerate(labels) if v.strip() not in ("0", "1")), None)
    if bad is not None:
        raise InputError(f"line {bad + 1}: label {labels[bad].strip()!r} is not 0 or 1", labels_path)
    values = np.array([int(v) for v in labels], dtype=np.int64)
    if len(np.unique(values)) < 2:                 # every split is graded by AUC, which needs both
        raise InputError(f"every label is {values[0]}: a split needs both 0 and 1 (AUC is undefined)", labels_path)
    return PairData(np.array([t[0] for t in tokens]), np.array([t[1] for t in tokens]), values)


def _lines(path: Path) -> list[str]:
    with open_text(path) as fh:
        return [ln for ln in fh.read().splitlines() if ln.strip()]


def check_known(data: PairData, emb: Embedding, path: str, min_known: float) -> float:
    """Fraction of a split's genes that have a vector; too few means mismatched identifiers."""
    genes = data.genes()
    known = len(genes & set(emb.genes)) / len(genes)
    if known < min_known:
        missing = sorted(genes - set(emb.genes))[:3]
        raise InputError(f"only {known:.0%} of the genes have a vector (e.g. {', '.join(missing)}): "
                         "are pairs and embedding named the same way (symbols)?", path)
    return known


def lookup_table(emb: Embedding | None, genes: list[str], dims: int, seed: int) -> torch.Tensor:
    """Vectors for ``genes``: the embedding's where it has one, U(-0.25, 0.25) elsewhere
    (all random when ``emb`` is None: the paper's random baseline)."""
    rng = np.random.default_rng(seed)
    table = rng.uniform(-UNKNOWN_RANGE, UNKNOWN_RANGE, size=(len(genes), dims)).astype(np.float32)
    if emb is not None:
        index = emb.index()
        rows = [(k, index[g]) for k, g in enumerate(genes) if g in index]
        if rows:
            dst, src = map(np.array, zip(*rows))
            table[dst] = emb.vectors[src]
    return torch.from_numpy(table)


def _indices(data: PairData, index: dict[str, int]) -> torch.Tensor:
    return torch.from_numpy(np.column_stack([[index[g] for g in data.genes_a],
                                             [index[g] for g in data.genes_b]]).astype(np.int64))


@torch.no_grad()
def scores(model: nn.Module, pairs: torch.Tensor, batch: int = 8192) -> np.ndarray:
    """P(interaction) of each pair: the softmax of a two-logit model (GGIPNN), or the sigmoid of a
    one-logit model (the pair models of :mod:`pipeline.pairs`)."""
    model.eval()
    out = []
    for s in range(0, len(pairs), batch):
        logits = model(pairs[s:s + batch])
        out.append(torch.softmax(logits, dim=1)[:, 1] if logits.ndim == 2 else torch.sigmoid(logits))
    return torch.cat(out).numpy()


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    if len(np.unique(labels)) < 2:
        raise InputError("labels are all the same class: AUC is undefined")
    return float(roc_auc_score(labels, scores))


def per_gene_auc(pairs: np.ndarray, labels: np.ndarray, scores: np.ndarray) -> float:
    """For each gene in pairs of both labels, the AUC of ranking its own pairs; the mean over those
    genes. A score that only says how popular a gene is cannot rank one gene's partners."""
    frame = pd.DataFrame({"gene": np.r_[pairs[:, 0], pairs[:, 1]], "label": np.r_[labels, labels],
                          "score": np.r_[scores, scores]})
    frame["rank_pos"] = frame.groupby("gene")["score"].rank(method="average") * frame["label"]
    per = frame.groupby("gene").agg(n=("label", "size"), pos=("label", "sum"), rank_pos=("rank_pos", "sum"))
    per = per[(per["pos"] > 0) & (per["pos"] < per["n"])]
    if per.empty:
        return float("nan")
    neg = per["n"] - per["pos"]
    return float(((per["rank_pos"] - per["pos"] * (per["pos"] + 1) / 2) / (per["pos"] * neg)).mean())


@dataclass
class Trained:
    model: nn.Module
    genes: list[str]
    history: list[dict]
    metrics: dict


def fit(model: nn.Module, tensors: dict[str, torch.Tensor], labels: dict[str, np.ndarray], config,
        progress: Callable[[Iterable], Iterable] = lambda it: it, sparse: list[nn.Parameter] = (),
        name: str = "model") -> list[dict]:
    """:func:`fit_epochs` on one torch thread: batches of 128-256 pairs through layers of 100-256 units
    are too small to share; two threads made an epoch 2-4x slower on 2 cores (README)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fit_epochs(model, tensors, labels, config, progress, sparse, name)
    finally:
        torch.set_num_threads(threads)


def fit_epochs(model: nn.Module, tensors: dict[str, torch.Tensor], labels: dict[str, np.ndarray], config,
               progress: Callable[[Iterable], Iterable], sparse: list[nn.Parameter], name: str) -> list[dict]:
    """Train on ``tensors["train"]`` (pairs of table rows), keep the epoch with the best validation
    AUC, stop after ``config.patience`` epochs without one; returns the per-epoch history. The
    loss follows the model's output: two logits (cross-entropy) or one (logistic). Each epoch is
    a log line naming the model (a build trains several; a log shows which is where)."""
    torch.manual_seed(config.seed)
    dense = [p for p in model.parameters() if p.requires_grad and all(p is not q for q in sparse)]
    optimisers = [torch.optim.Adam(dense, lr=config.learning_rate)]
    if sparse:
        optimisers.append(torch.optim.SparseAdam(list(sparse), lr=config.learning_rate))
    target = torch.from_numpy(labels["train"])
    generator = torch.Generator().manual_seed(config.seed)
    best, best_state, history, stale = -1.0, None, [], 0
    for epoch in progress(range(1, config.max_epochs + 1)):
        model.train()
        order = torch.randperm(len(tensors["train"]), generator=generator)
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            batch = order[start:start + config.batch_size]
            for opt in optimisers:
                opt.zero_grad()
            logits = model(tensors["train"][batch])
            loss = (nn.functional.cross_entropy(logits, target[batch]) if logits.ndim == 2 else
                    nn.functional.binary_cross_entropy_with_logits(logits, target[batch].float()))
            loss.backward()
            for opt in optimisers:
                opt.step()
            total += loss.item() * len(batch)
        valid_auc = auc(labels["valid"], scores(model, tensors["valid"]))
        history.append({"epoch": epoch, "loss": round(total / len(order), 5), "valid_auc": round(valid_auc, 5)})
        log.info("%s: epoch %d/%d, loss %.4f, valid AUC %.4f", name, epoch, config.max_epochs, total / len(order),
                 valid_auc)
        if valid_auc > best:
            best, stale = valid_auc, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= config.patience:
                break
    model.load_state_dict(best_state)
    return history


def split_metrics(model: nn.Module, tensors: dict[str, torch.Tensor], labels: dict[str, np.ndarray]) -> dict:
    """AUC over pairs and the per-gene ranking AUC of every split."""
    out = {}
    for name, pairs in tensors.items():
        predicted = scores(model, pairs)
        out[f"{name}_auc"] = round(auc(labels[name], predicted), 5)
        out[f"{name}_per_gene_auc"] = round(per_gene_auc(pairs.numpy(), labels[name], predicted), 5)
    return out


def pair_tensors(emb: Embedding | None, splits: dict[str, PairData], dims: int, seed: int
                 ) -> tuple[list[str], torch.Tensor, dict[str, torch.Tensor], dict[str, np.ndarray]]:
    """The genes of every split, their vector table (random where unknown) and each split's pairs
    as rows of that table."""
    genes = sorted(set().union(*(d.genes() for d in splits.values())))
    index = {g: k for k, g in enumerate(genes)}
    return (genes, lookup_table(emb, genes, dims, seed), {n: _indices(d, index) for n, d in splits.items()},
            {n: d.labels for n, d in splits.items()})


def train_ggipnn(emb: Embedding | None, train: PairData, valid: PairData, test: PairData | None = None,
                 config: GGIPNNConfig = GGIPNNConfig(), dims: int | None = None,
                 progress: Callable[[Iterable], Iterable] = lambda it: it, name: str = "ggipnn") -> Trained:
    """Train on ``train``, select the epoch by validation AUC, report train/valid/test AUC.

    ``emb=None`` gives the random-embedding baseline (with ``dims`` dimensions)."""
    started = time.perf_counter()
    dims = emb.vectors.shape[1] if emb is not None else (dims or 200)
    splits = {"train": train, "valid": valid, **({"test": test} if test is not None else {})}
    genes, table, tensors, labels = pair_tensors(emb, splits, dims, config.seed)
    torch.manual_seed(config.seed)
    model = GGIPNN(table, config)
    history = fit(model, tensors, labels, config, progress,
                  sparse=list(model.embedding.parameters()) if config.trainable else [], name=name)
    known = set(emb.genes) if emb is not None else set()
    result = split_metrics(model, tensors, labels)
    result.update(best_epoch=max(history, key=lambda h: h["valid_auc"])["epoch"], epochs_run=len(history),
                  seconds=round(time.perf_counter() - started, 2), config=asdict(config),
                  embedding="random" if emb is None else "gene2vec",
                  genes_without_vector={n: len(d.genes() - known) for n, d in splits.items()},
                  genes={n: len(d.genes()) for n, d in splits.items()})
    return Trained(model, genes, history, result)


# --- the model file ----------------------------------------------------------------------------

def save_predictor(trained: Trained, path: Path) -> None:
    """The classifier's weights and what rebuilds it (the paper's model, kept as the reproduction's
    artefact; the app scores pairs with :mod:`pipeline.pairs`). A trainable run also saves its
    tuned vectors."""
    tuned = ({"genes": trained.genes, "vectors": trained.model.embedding.weight.detach().clone()}
             if trained.metrics["config"]["trainable"] else {})
    classifier = trained.model.classifier
    torch.save({"format": MODEL_FORMAT, "version": 1, "config": trained.metrics["config"], "dims": classifier.dims,
                "classifier": classifier.state_dict(), "metrics": trained.metrics, **tuned}, path)
