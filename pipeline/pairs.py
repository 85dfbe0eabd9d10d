"""Pair prediction that predicts pairs: the app's interaction model, and the baselines it must beat.

The paper's GGIPNN (:mod:`pipeline.ggipnn`) scores a pair from the concatenated vectors, and on its
benchmark a model that scores each gene alone does almost as well: GO's labelled pairs reward
knowing which genes are popular. This module's model can only see what two genes have in common:

    z = normalise(encoder(v / |v|))          one encoder for every gene (symmetric in a, b)
    P(a, b interact) = sigmoid(scale * z_a . z_b + bias)

Unit-length inputs hide a gene's vector norm (a popularity signal), the score has no per-gene
term, and it is trained on degree-matched negatives (:mod:`pipeline.ggi`). One gene against all
others is one matrix-vector product over the encoded genes, so the app's partners list costs
milliseconds, and so does where a partner stands among all genes.

Baselines, measured in the same run on the same pairs: ``additive`` (a trained per-gene score,
s(a) + s(b), no pair term), ``popularity_norm`` (|v_a| + |v_b|), ``popularity_contexts`` (log
context counts, when known) and ``cosine`` (the embedding's own similarity).
"""
from __future__ import annotations

import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch
from torch import nn

from pipeline.config import NeighbourConfig, PairModelConfig
from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.evaluate import cosine_similarity, membership, neighbour_precision, query_rows
from pipeline.ggipnn import PairData, Trained, auc, fit, pair_tensors, per_gene_auc, scores, split_metrics
from pipeline.pair_calibration import MutualRankCalibration, ece, knot_ranks, pair_features, reliability, report

MODEL_FORMAT = "gene2vec-dash pair model"


def unit(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


class PairEncoder(nn.Module):
    """Encoder of unit vectors into a space where the cosine of two genes is their pair score."""

    def __init__(self, dims: int, hidden: int = 256, out: int = 128, dropout: float = 0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dims, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, out))
        self.scale = nn.Parameter(torch.tensor(5.0))
        self.bias = nn.Parameter(torch.tensor(0.0))
        self.dims = dims

    def encode(self, vectors: torch.Tensor) -> torch.Tensor:
        return unit(self.net(unit(vectors)))

    def score(self, za: torch.Tensor, zb: torch.Tensor) -> torch.Tensor:
        return self.scale * (za * zb).sum(dim=1) + self.bias


class PairModel(nn.Module):
    """:class:`PairEncoder` over a frozen lookup table of gene vectors (pairs of rows in, logits out)."""

    def __init__(self, table: torch.Tensor, config: PairModelConfig):
        super().__init__()
        self.embedding = nn.Embedding.from_pretrained(table, freeze=True)
        self.encoder = PairEncoder(table.shape[1], config.hidden, config.out, config.dropout)

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        z = self.encoder.encode(self.embedding(pairs.reshape(-1))).reshape(len(pairs), 2, -1)
        return self.encoder.score(z[:, 0], z[:, 1])


class AdditiveModel(nn.Module):
    """The no-pair-term baseline: a learned score of each gene alone, s(v_a) + s(v_b), on the raw
    vectors (norm included), with the same training as :class:`PairModel`."""

    def __init__(self, table: torch.Tensor, config: PairModelConfig):
        super().__init__()
        self.embedding = nn.Embedding.from_pretrained(table, freeze=True)
        self.score = nn.Sequential(nn.Linear(table.shape[1], config.hidden), nn.ReLU(), nn.Dropout(config.dropout),
                                   nn.Linear(config.hidden, 1))

    def forward(self, pairs: torch.Tensor) -> torch.Tensor:
        return self.score(self.embedding(pairs)).sum(dim=(1, 2))


def train_pair_model(kind: str, emb: Embedding, splits: dict[str, PairData],
                     config: PairModelConfig = PairModelConfig(),
                     progress: Callable[[Iterable], Iterable] = lambda it: it) -> Trained:
    """Train the pair model (``kind="pair"``) or the additive baseline (``"additive"``) on
    ``splits["train"]``, keep the epoch with the best validation AUC, report every split."""
    started = time.perf_counter()
    genes, table, tensors, labels = pair_tensors(emb, splits, emb.vectors.shape[1], config.seed)
    torch.manual_seed(config.seed)
    model = {"pair": PairModel, "additive": AdditiveModel}[kind](table, config)
    history = fit(model, tensors, labels, config, progress,
                  name="pair model" if kind == "pair" else "additive baseline")
    calibration = calibrate(model, tensors, labels) if kind == "pair" else None
    metrics = split_metrics(model, tensors, labels)
    if calibration:
        metrics["calibration"] = calibration
    metrics.update(best_epoch=max(history, key=lambda h: h["valid_auc"])["epoch"], epochs_run=len(history),
                   seconds=round(time.perf_counter() - started, 2), config=asdict(config))
    return Trained(model, genes, history, metrics)


def calibrate(model: PairModel, tensors: dict[str, torch.Tensor], labels: dict[str, np.ndarray]) -> dict:
    """Platt scaling on the valid split, folded into the encoder's scale and bias (so P is
    calibrated wherever it is read, and the ranking, hence every AUC, is unchanged); the expected
    calibration error on the last split (test, else valid) before and after."""
    from sklearn.linear_model import LogisticRegression

    last = "test" if "test" in tensors else "valid"
    model.eval()
    with torch.no_grad():
        valid = model(tensors["valid"]).numpy().astype(np.float64)
        before = torch.sigmoid(model(tensors[last])).numpy()
    fit_ = LogisticRegression().fit(valid[:, None], labels["valid"])       # L2 keeps the slope finite
    a, b = float(fit_.coef_[0, 0]), float(fit_.intercept_[0])
    enc = model.encoder
    with torch.no_grad():
        enc.scale.mul_(a)
        enc.bias.mul_(a).add_(b)
        after = torch.sigmoid(model(tensors[last])).numpy()
    return {"method": "Platt scaling on valid", "split": last, "slope": round(a, 4), "intercept": round(b, 4),
            "ece_before": round(ece(labels[last], before), 4), "ece": round(ece(labels[last], after), 4),
            "reliability": reliability(labels[last], after)}


def baseline_scores(emb: Embedding, data: PairData, contexts: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """Scores that need no training: cosine similarity, and popularity (the vector norms; the
    genes' context counts in the training corpus when known). Unknown genes score 0."""
    index = emb.index()
    a = np.array([index.get(g, -1) for g in data.genes_a])
    b = np.array([index.get(g, -1) for g in data.genes_b])
    known = (a >= 0) & (b >= 0)
    v = np.vstack([emb.vectors, np.zeros((1, emb.vectors.shape[1]), dtype=np.float32)])    # row -1: unknown
    norms = np.linalg.norm(v, axis=1)
    cosine = np.einsum("ij,ij->i", v[a], v[b]) / np.maximum(norms[a] * norms[b], 1e-12)
    out = {"cosine": np.where(known, cosine, 0.0), "popularity_norm": norms[a] + norms[b]}
    if contexts is not None:
        count = np.log1p([contexts.get(g, 0.0) for g in data.genes_a]) + np.log1p([contexts.get(g, 0.0)
                                                                                   for g in data.genes_b])
        out["popularity_contexts"] = np.asarray(count)
    return out


def baselines(emb: Embedding, splits: dict[str, PairData], config: PairModelConfig = PairModelConfig(),
              contexts: dict[str, float] | None = None,
              progress: Callable[[Iterable], Iterable] = lambda it: it) -> dict:
    """What a predictor's figures must be read against, on the last split given (test, else valid):
    the additive model (trained like the pair model), popularity and cosine; AUC and per-gene AUC,
    and with a test split each one's ECE once Platt-scaled on valid (a score that says nothing can
    be well calibrated: ECE alone is no merit)."""
    last = "test" if "test" in splits else "valid"
    additive = train_pair_model("additive", emb, splits, config, progress)
    figures = {"split": last, "additive": _summary(additive.metrics, last)}
    data = splits[last]
    genes = sorted(data.genes())
    rows = {g: k for k, g in enumerate(genes)}
    pairs = np.column_stack([[rows[g] for g in data.genes_a], [rows[g] for g in data.genes_b]])
    found = baseline_scores(emb, data, contexts)
    for name, score in found.items():
        figures[name] = {"auc": round(auc(data.labels, score), 5),
                         "per_gene_auc": round(per_gene_auc(pairs, data.labels, score), 5)}
    if last == "test":
        valid = baseline_scores(emb, splits["valid"], contexts)
        _, _, tensors, _ = pair_tensors(emb, splits, emb.vectors.shape[1], config.seed)
        valid["additive"], found["additive"] = (scores(additive.model, tensors[n]) for n in ("valid", "test"))
        for name in found:
            platt = _platt(valid[name], splits["valid"].labels)
            figures[name]["ece"] = round(ece(data.labels, platt(found[name])), 4)
    return figures


def _platt(score: np.ndarray, labels: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """P as a logistic function of ``score``, fitted on (``score``, ``labels``)."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression().fit(np.asarray(score, dtype=np.float64)[:, None], labels)
    return lambda x: fitted.predict_proba(np.asarray(x, dtype=np.float64)[:, None])[:, 1]


def pair_benchmark(emb: Embedding, splits: dict[str, PairData], config: PairModelConfig = PairModelConfig(),
                   contexts: dict[str, float] | None = None,
                   progress: Callable[[str], Callable[[Iterable], Iterable]] = lambda name: (lambda it: it),
                   background: np.ndarray | None = None) -> tuple[Trained, MutualRankCalibration | None, dict]:
    """The pair model, its calibration by mutual rank (:mod:`pipeline.pair_calibration`; ranks among
    the genes of ``background``, default ``emb``'s vectors: the bundle's rows; None with
    ``config.calibration == "platt"``, Platt's alone) and every baseline on the same splits (figures
    on the test split, else valid)."""
    pair = train_pair_model("pair", emb, splits, config, progress("pair model"))
    calibration, calibrated = (rank_calibration(pair.model, pair.genes, emb, splits, background, config.seed)
                               if config.calibration == "mutual_rank" else (None, {}))
    figures = baselines(emb, splits, config, contexts, progress("additive baseline"))
    last = figures["split"]
    figures["pair_model"] = {**_summary(pair.metrics, last),
                             "calibration": {**calibrated, "platt": pair.metrics["calibration"]} if calibrated
                             else pair.metrics["calibration"],
                             "training": {k: pair.metrics[k] for k in ("best_epoch", "epochs_run", "seconds")}}
    return pair, calibration, figures


@torch.no_grad()
def rank_calibration(model: PairModel, genes: list[str], emb: Embedding, splits: dict[str, PairData],
                     background: np.ndarray | None, seed: int,
                     fitted: MutualRankCalibration | None = None) -> tuple[MutualRankCalibration, dict]:
    """Fit the mutual-rank calibration on the valid pairs (or take ``fitted``, a saved one) and
    report it on test: ``genes`` are the rows of the model's lookup table, ranked among ``emb``'s
    genes; the knots saved are those of ``background`` (the bundle's vectors; default ``emb``'s)."""
    from pipeline.pair_calibration import fit, rank_knots

    model.eval()
    encode = model.encoder.encode
    codes = encode(model.embedding.weight).numpy()
    current = encode(torch.as_tensor(emb.vectors, dtype=torch.float32)).numpy()
    index, table = emb.index(), {g: k for k, g in enumerate(genes)}
    own = np.array([index.get(g, -1) for g in genes])
    pairs = {n: np.column_stack([[table[g] for g in d.genes_a], [table[g] for g in d.genes_b]])
             for n, d in splits.items() if n != "train"}
    features = pair_features(codes, own, pairs, current)
    labels = {n: splits[n].labels for n in pairs}
    bundle = current if background is None else encode(torch.as_tensor(background, dtype=torch.float32)).numpy()
    if fitted is None:
        weights, intercept = fit(*features["valid"], labels["valid"])
        fitted = MutualRankCalibration(weights, intercept, knot_ranks(len(bundle)),
                                       rank_knots(bundle, bundle, np.arange(len(bundle))))
    platt = (float(model.encoder.scale), float(model.encoder.bias))
    return fitted, report(fitted, platt, features, labels, pairs, bundle, seed)


def _summary(metrics: dict, split: str) -> dict:
    return {"auc": metrics[f"{split}_auc"], "per_gene_auc": metrics[f"{split}_per_gene_auc"],
            "valid_auc": metrics["valid_auc"]}


# --- the model file and what the app does with it -------------------------------------------------

def save_pair_model(encoder: PairEncoder, config: PairModelConfig, path: Path, figures: dict,
                    calibration: MutualRankCalibration | None = None) -> None:
    """The model file :class:`PairPredictor` reads: the encoder's weights, what rebuilds it and its
    calibration (weights and every bundle gene's knots; without one, P is the encoder's own sigmoid)."""
    payload = {"format": MODEL_FORMAT, "version": 2, "config": asdict(config), "dims": encoder.dims,
               "encoder": encoder.state_dict(), "metrics": figures}
    if calibration is not None:
        payload["calibration"] = {"weights": list(calibration.weights), "intercept": calibration.intercept,
                                  "ranks": torch.from_numpy(calibration.ranks),
                                  "knots": torch.from_numpy(calibration.knots)}
    torch.save(payload, path)


def load_pair_model(path: Path, dims: int) -> tuple[PairEncoder, PairModelConfig, dict, MutualRankCalibration | None]:
    """The encoder of a model file, its config, the figures it was saved with and its calibration."""
    try:
        with warnings.catch_warnings():                 # one line for a bad file, not torch's warnings first
            warnings.simplefilter("ignore")
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several types for damaged files
        raise InputError(f"not a pair model file ({exc.__class__.__name__})", path) from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise InputError("not a pair model file", path)
    missing = [k for k in ("dims", "config", "encoder", "metrics") if k not in payload]
    if missing:
        raise InputError(f"pair model file lacks {missing}", path)
    found = payload["dims"]
    if not isinstance(found, int) or isinstance(found, bool):
        raise InputError(f"pair model's 'dims' is a {type(found).__name__}, not a whole number", path)
    if found != dims:
        raise InputError(f"pair model expects {found}-dimensional vectors, the embedding has {dims}", path)
    if not isinstance(payload["config"], dict) or not isinstance(payload["encoder"], dict):
        raise InputError("pair model's 'config' and 'encoder' must be dictionaries", path)
    try:
        config = PairModelConfig(**payload["config"])
        encoder = PairEncoder(found, config.hidden, config.out, config.dropout)
        encoder.load_state_dict(payload["encoder"])
    except (TypeError, RuntimeError, ValueError, InputError) as exc:
        raise InputError(f"pair model does not fit its settings ({exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0][:80]})", path) from None
    bad = [name for name, weights in encoder.state_dict().items() if not torch.isfinite(weights).all()]
    if bad:
        raise InputError(f"pair model weights {bad[0]!r} hold NaN or infinity", path)
    encoder.eval()
    calibration = _calibration(payload.get("calibration"), path) if "calibration" in payload else None
    return encoder, config, payload["metrics"] if isinstance(payload["metrics"], dict) else {}, calibration


def _calibration(saved: object, path: Path) -> MutualRankCalibration:
    """A model file's calibration, checked: two finite weights, an intercept, knots of one row per gene."""
    try:
        weights = tuple(float(w) for w in saved["weights"])
        intercept = float(saved["intercept"])
        ranks, knots = saved["ranks"].numpy().astype(np.int64), saved["knots"].numpy().astype(np.float32)
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise InputError(f"pair model's calibration is damaged ({exc.__class__.__name__})", path) from None
    if (len(weights) != 2 or not np.isfinite([*weights, intercept]).all() or ranks.ndim != 1 or knots.ndim != 2
            or knots.shape[1] != len(ranks) or len(ranks) < 2 or not np.isfinite(knots).all()):
        raise InputError("pair model's calibration is damaged (weights, ranks or knots)", path)
    return MutualRankCalibration(weights, intercept, ranks, knots)


def saved_model_metrics(path: Path, emb: Embedding, splits: dict[str, PairData]) -> dict:
    """A saved pair model's AUC and per-gene AUC on ``splits``, with the same lookup table (random
    vectors for unknown genes, same seed) as when it was trained: the build's figures, again; and
    its calibration's figures (``calibration``) when it has one."""
    encoder, config, _, calibration = load_pair_model(path, emb.vectors.shape[1])
    genes, table, tensors, labels = pair_tensors(emb, splits, emb.vectors.shape[1], config.seed)
    model = PairModel(table, config)
    model.encoder = encoder
    out = split_metrics(model, tensors, labels)
    if calibration is not None:
        out["calibration"] = rank_calibration(model, genes, emb, splits, None, config.seed, calibration)[1]
    return out


class PairPredictor:
    """P(shared GO process) from bundle vectors: every gene encoded once at load (a few ms per
    thousand genes), then one gene against all is a matrix-vector product and, with the model's
    calibration, a look-up of each gene's rank knots."""

    def __init__(self, path: Path, vectors: np.ndarray):
        encoder, _, self.metrics, self.calibration = load_pair_model(path, vectors.shape[1])
        if self.calibration is not None and len(self.calibration.knots) != len(vectors):
            raise InputError(f"pair model's calibration covers {len(self.calibration.knots):,} genes, the "
                             f"embedding has {len(vectors):,}", path)
        with torch.no_grad():
            self.codes = encoder.encode(torch.as_tensor(vectors, dtype=torch.float32)).numpy()
        self.scale, self.bias = float(encoder.scale.detach()), float(encoder.bias.detach())

    def probability(self, a: int, b: int | np.ndarray | None = None) -> np.ndarray:
        """P of gene row ``a`` with rows ``b`` (default: every gene)."""
        rows = None if b is None else np.atleast_1d(b)
        if self.calibration is not None:
            return self.calibration.probability(self.codes, a, rows)
        codes = self.codes if rows is None else self.codes[rows]
        return 1.0 / (1.0 + np.exp(-(self.scale * (codes @ self.codes[a]) + self.bias)))

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P of each gene of ``rows`` with every gene (rows x genes)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.calibration is None:
            return 1.0 / (1.0 + np.exp(-(self.scale * (self.codes[rows] @ self.codes.T) + self.bias)))
        return np.vstack([self.calibration.rows(self.codes, rows[k:k + 32]) for k in range(0, len(rows), 32)]
                         or [np.empty((0, len(self.codes)))])


def encoded_similarity(predictor: PairPredictor) -> Callable[[np.ndarray], np.ndarray]:
    """The pair model's ranking (its P) as a similarity over gene rows, for
    :func:`pipeline.evaluate.neighbour_precision` and :func:`hubness`."""
    return predictor.probabilities


def hubness(similarity: Callable[[np.ndarray], np.ndarray], genes: np.ndarray, queries: int = 200, k: int = 10,
            seed: int = 0) -> dict:
    """Do the top-k lists of random genes repeat the same genes? Distinct genes over all lists, and
    the largest share of lists one gene is in (a hub is in most of them)."""
    rows = np.sort(np.random.default_rng(seed).choice(len(genes), size=min(queries, len(genes)), replace=False))
    s = np.array(similarity(rows), dtype=np.float32)
    s[np.arange(len(rows)), rows] = -np.inf
    top = np.argpartition(-s, k - 1, axis=1)[:, :k]
    found, counts = np.unique(top, return_counts=True)
    return {"queries": int(len(rows)), "k": k, "distinct": int(len(found)),
            "max_share": round(float(counts.max() / len(rows)), 3), "top_gene": str(genes[found[counts.argmax()]])}


def list_quality(emb: Embedding, predictor: PairPredictor, gene_set_files: dict[str, dict[str, list[str]]],
                 config: NeighbourConfig = NeighbourConfig()) -> dict:
    """The partners lists a user reads, beside the cosine neighbours: hub concentration (200 random
    genes' top 10) and partner precision (sharing a gene set of 5-200 genes, same queries)."""
    pair, cosine = encoded_similarity(predictor), cosine_similarity(emb.vectors)
    out: dict = {"hubness": {"pair_model": hubness(pair, emb.genes, seed=config.seed),
                             "cosine": hubness(cosine, emb.genes, seed=config.seed)}, "partner_precision": {}}
    for name, sets in gene_set_files.items():
        members = membership(emb.genes, sets, config.min_set_size, config.max_set_size, name)
        rows = query_rows(members, config.queries, config.seed)
        out["partner_precision"][name] = {
            "pair_model": neighbour_precision(pair, members, rows, config.k, config.top_fraction),
            "cosine": neighbour_precision(cosine, members, rows, config.k, config.top_fraction)}
    return out
