"""Every parameter of the pipeline, with the paper's defaults; the CLI is generated from these
(flags, defaults and help: :mod:`pipeline.cli`) and the bundle manifest records them (``asdict``)."""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.functions import DEFAULT_METHOD, FOLDS


def param(default: Any, help: str) -> Any:
    """A config field with the help text its generated command-line flag shows."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class CoexpressionConfig:
    threshold: float = param(0.9, "Pearson r cut-off (paper)")
    min_samples: int = param(30, "data sets with fewer samples are skipped (paper)")
    top_k: int = param(0, ">0: a pair must also be among a gene's k best partners")
    components: int = param(0, ">0: remove each data set's largest principal components first")
    platform: str = param("", "GEO SOFT files: only this platform's samples ('': every platform)")
    block_rows: int = param(0, "rows per correlation block; 0 picks one for ~256 MB")

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise InputError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.min_samples < 3:
            raise InputError(f"min_samples must be >= 3, got {self.min_samples}")
        if self.top_k < 0 or self.components < 0:
            raise InputError(f"top_k and components must be >= 0, got {self.top_k}, {self.components}")


METHODS = ("skipgram-pairs", "skipgram-walks", "ppmi-svd", "skipgram+ppmi")


@dataclass(frozen=True)
class EmbeddingConfig:
    method: str = param("skipgram-pairs", "skipgram-pairs (paper) | skipgram-walks | ppmi-svd | skipgram+ppmi "
                                          "(centred skip-gram and PPMI-SVD, unit rows side by side)")
    centre: bool = param(False, "subtract the mean skip-gram vector (the common direction SGNS gives every gene)")
    remove_top: int = param(0, "after centring, project out this many top principal directions of the skip-gram "
                               "vectors (all-but-the-top): the direction the rarely seen genes share")
    dims: int = param(200, "paper")
    epochs: int = param(10, "paper: 10 iterations")
    window: int = param(1, "2-token sentences: each gene sees its partner only")
    negative: int = param(5, "negative samples per context")
    min_count: int = param(5, "paper text; the authors' code used 1")
    sample: float = param(1e-3, "gensim default, as in the authors' code")
    alpha: float = param(0.025, "initial learning rate (gensim)")
    min_alpha: float = param(0.0001, "final learning rate (gensim)")
    max_pair_repeats: int = param(0, ">0: a pair seen in more data sets counts only this often")
    workers: int = param(1, ">1 is faster but gensim is then not bit-reproducible")
    ppmi_alpha: float = param(0.75, "ppmi-svd: context counts raised to this (smoothing)")
    svd_power: float = param(0.5, "ppmi-svd: vectors are U S^power")
    walk_length: int = param(40, "skipgram-walks: genes per walk")
    walks_per_gene: int = param(10, "skipgram-walks: walks from each gene per epoch")
    walk_window: int = param(10, "skipgram-walks: skip-gram window over a walk")
    walk_p: float = param(1.0, "skipgram-walks: node2vec return parameter")
    walk_q: float = param(1.0, "skipgram-walks: node2vec in-out parameter")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(f"embedding method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if not 0 <= self.remove_top < self.dims // 2:
            raise InputError(f"embedding: remove_top must be 0 to {self.dims // 2 - 1}, got {self.remove_top}")
        if self.dims < 2 or self.epochs < 1 or self.walk_length < 2 or min(self.walk_p, self.walk_q) <= 0:
            raise InputError(f"embedding: dims >= 2, epochs >= 1, walk_length >= 2 and walk_p, walk_q > 0, got "
                             f"{self.dims}, {self.epochs}, {self.walk_length}, {self.walk_p}, {self.walk_q}")


@dataclass(frozen=True)
class ClusterednessConfig:
    max_set_size: int = param(50, "paper: pathways with <= 50 genes")
    min_set_size: int = param(2, "sets with fewer genes that have a vector are left out")
    random_genes: int = param(1000, "paper: all pairs of this many random genes are the background")
    seed: int = param(0, "seed of the random genes")


@dataclass(frozen=True)
class NeighbourConfig:
    """Neighbour precision: of a gene's k nearest genes, how many share a gene set with it."""

    k: int = param(10, "nearest genes of each query gene")
    queries: int = param(500, "random genes of some set, seeded")
    min_set_size: int = param(5, "smallest gene set counted (genes with a vector)")
    max_set_size: int = param(200, "largest gene set counted")
    top_fraction: float = param(0.01, "recall of set partners within this top share of all genes")
    seed: int = param(0, "seed of the query genes")

    def __post_init__(self) -> None:
        if self.k < 1 or self.queries < 1 or not 0 < self.top_fraction < 1:
            raise InputError(f"neighbours: k and queries must be >= 1 and top_fraction in (0, 1), got "
                             f"{self.k}, {self.queries}, {self.top_fraction}")


@dataclass(frozen=True)
class EnrichmentConfig:
    """The gene sets the app tests a gene list against (GO BP, the build's GMT files)."""

    min_size: int = param(5, "genes of the map in a set")
    max_size: int = param(500, "larger sets are not tested")


@dataclass(frozen=True)
class FunctionsConfig:
    """Predicted functions: every gene x term of GO BP and the build's gene-set files, out of fold."""

    method: str = param(DEFAULT_METHOD, "scoring method (see `evaluate functions`)")
    folds: int = param(FOLDS, "genes split into this many folds: a gene is scored by models of the others")
    neighbours: int = param(50, "nearest genes of the neighbour vote")
    top: int = param(25, "terms kept per gene and library in the bundle")
    tissues: bool = param(True, "the combined model also reads the tissue atlases: a gene's co-expression "
                                "with a term's members across each atlas's tissues")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.folds < 2 or self.neighbours < 1 or self.top < 1:
            raise InputError(f"functions: folds must be >= 2, neighbours and top >= 1, got {self.folds}, "
                             f"{self.neighbours}, {self.top}")


@dataclass(frozen=True)
class GGIConfig:
    evidence: tuple[str, ...] = ("IDA", "IMP", "IPI", "IGI", "TAS")
    excluded_terms: tuple[str, ...] = ("GO:0007165", "GO:0006468", "GO:0046777", "GO:0006470")
    max_excluded_level: int = param(3, "terms at levels 0-3 below GO:0008150 are too general")
    max_term_genes: int = param(0, "0: no limit on the genes of a shared term")
    split: tuple[float, float, float] = (0.7, 0.1, 0.2)
    max_positive_pairs: int = param(200_000, "over all splits (the paper's train split had 130k)")
    negatives: str = param("random", "'random' (paper) or 'degree': each gene as many negatives as positives")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.negatives not in ("random", "degree"):
            raise InputError(f"ggi negatives must be 'random' or 'degree', got {self.negatives!r}")


GGIPNN_RUNS = ("gene2vec_frozen", "gene2vec_trainable", "random_frozen", "random_trainable")


@dataclass(frozen=True)
class GGIPNNConfig:
    hidden: tuple[int, ...] = param((100, 100, 10), "hidden layer widths (paper)")
    dropout: float = param(0.5, "dropout on the first two layers (paper)")
    learning_rate: float = param(1e-3, "Adam's learning rate (paper)")
    batch_size: int = param(128, "pairs per batch (paper)")
    max_epochs: int = param(20, "at most this many epochs (the authors trained 1)")
    patience: int = param(3, "epochs without a better validation AUC before stopping")
    trainable: bool = param(False, "fine-tune the vectors too (paper: worse than frozen)")
    seed: int = param(0, "seed of initialisation, batches and random vectors")
    runs: tuple[str, ...] = param(GGIPNN_RUNS, "the build's runs: our or random vectors, frozen or trainable")


@dataclass(frozen=True)
class PairModelConfig:
    """The app's pair model (:mod:`pipeline.pairs`), trained on degree-matched GO pairs."""

    hidden: int = 256
    out: int = param(128, "width of the space whose cosine is the pair score")
    # dropout, measured on the demo (README): higher raises valid AUC (0.1: 0.643, 0.3: 0.659, 0.5: 0.670,
    # 0.8: 0.677) but from 0.5 the partner lists share fewer of the compendium's pathways than cosine does
    dropout: float = 0.3
    learning_rate: float = 1e-3
    batch_size: int = 256
    max_epochs: int = 30
    patience: int = 4
    calibration: str = param("mutual_rank", "P's calibration on valid: 'mutual_rank' (score + each gene's rank among "
                                            "the other's partners, pipeline/pair_calibration.py) or 'platt'")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.calibration not in ("mutual_rank", "platt"):
            raise InputError(f"pair model calibration {self.calibration!r}: use 'mutual_rank' or 'platt'")


@dataclass(frozen=True)
class LayoutConfig:
    pca_dims: int = 50
    perplexity: float = 30.0
    early_exaggeration_iter: int = param(250, "openTSNE's default")
    n_iter: int = param(500, "openTSNE's default")
    # FFT grid: 2 and at least 10 intervals is ~3x faster than openTSNE's (1, 50) at 23k genes, 10-NN kept
    # 0.353 vs 0.364
    ints_in_interval: int = param(2, "FFT grid: interpolation points per interval")
    min_num_intervals: int = param(10, "FFT grid: fewest intervals")
    unit_length: bool = param(True, "map cosine neighbours (vectors scaled to length 1 first)")
    knn: str = param("exact", "'exact' (BallTree) or 'annoy': exact measured 2.4x faster at 25k genes")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.knn not in ("exact", "annoy"):
            raise InputError(f"layout knn must be 'exact' or 'annoy', got {self.knn!r}")


@dataclass(frozen=True)
class TissueConfig:
    """Tissue specificity from the atlases (which grade the map; they never feed the embedding)."""

    floor: float = param(1.0, "TPM-like: a gene below it in every tissue gets no z-score (grey)")
    specific_z: float = param(2.0, "'specific to a tissue' for the tissue-pattern figure")
    neighbours: int = param(10, "k of the k-nearest-gene fractions of that figure")
    seed: int = 0

    def __post_init__(self) -> None:
        if self.floor < 0 or self.neighbours < 1:
            raise InputError(f"tissue floor must be >= 0 and neighbours >= 1, got {self.floor}, {self.neighbours}")


@dataclass(frozen=True)
class EvidenceConfig:
    """What the app shows behind a pair and a gene, per data set (it never feeds the embedding)."""

    # the median gene of an array data set is near its noise floor (about half of an array's probes
    # are called absent in a tissue): INS ranks 52nd of 100 in leukaemia, ALB 16th, GCG 24th
    expressed_quantile: float = param(0.75, "expressed in a data set: mean above this quantile of its genes' "
                                            "means (0.5: the median gene)")

    def __post_init__(self) -> None:
        if not 0.0 <= self.expressed_quantile < 1.0:
            raise InputError(f"evidence expressed_quantile must be in [0, 1), got {self.expressed_quantile}")


@dataclass(frozen=True)
class GeoConfig:
    """GEO series to download before the build (nothing when both are empty / false)."""

    accessions: tuple[str, ...] = param((), "GSE ids; empty with search = true: NCBI E-utilities search")
    search: bool = param(False, "search NCBI for every series of the platform")
    platform: str = param("GPL570", "paper")
    max_datasets: int = param(0, "stop after this many series (0: no limit)")
    folder: str = param("geo", "downloads (and their resumable state), relative to the config")


@dataclass(frozen=True)
class BuildConfig:
    """A whole build: inputs (GEO files / tables, or the demo compendium) and every stage."""

    inputs: tuple[str, ...] = ()
    demo: bool = False
    archs4_pairs: bool = param(False, "add ARCHS4 TF co-expression pairs (demo compendium)")
    geo: GeoConfig = field(default_factory=GeoConfig)
    coexpression: CoexpressionConfig = field(default_factory=CoexpressionConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    clusteredness: ClusterednessConfig = field(default_factory=ClusterednessConfig)
    neighbours: NeighbourConfig = field(default_factory=NeighbourConfig)
    enrichment: EnrichmentConfig = field(default_factory=EnrichmentConfig)
    functions: FunctionsConfig = field(default_factory=FunctionsConfig)
    ggi: GGIConfig = field(default_factory=GGIConfig)
    ggipnn: GGIPNNConfig = field(default_factory=GGIPNNConfig)
    pair_model: PairModelConfig = field(default_factory=PairModelConfig)
    layout: LayoutConfig = field(default_factory=LayoutConfig)
    tissue: TissueConfig = field(default_factory=TissueConfig)
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    gene_sets: tuple[str, ...] = param((), "GMT files for clusteredness (demo: Reactome + WikiPathways)")
    gene_table: str = param("", "NCBI gene_info; empty: the compendium's table")
    gene_types: str = param("", "GENCODE gene types (gene_id, gene_type); empty: the compendium's v36")
    tissues: tuple[str, ...] = param((), "tissue atlases (GCT, HDF5, tables); empty: the compendium's three")
    gene2go: str = param("", "NCBI gene2go + go-basic.obo; empty: the compendium's GO extract")
    preset: str = param("", "'paper' or 'demo': applied over the stage tables (see with_preset)")
    go_obo: str = ""
    embedding_file: str = param("", "import-embedding: the embedding (file or bundle) shown instead of training one")
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def seeded(self, seed: int) -> "BuildConfig":
        """The same build with ``seed`` for every stage (what ``--seed`` and a top-level
        ``seed = N`` in the config do)."""
        stages = {f.name: replace(getattr(self, f.name), seed=seed) for f in fields(self)
                  if is_dataclass(getattr(self, f.name)) and hasattr(getattr(self, f.name), "seed")}
        return replace(self, seed=seed, **stages)


PRESETS = ("paper", "demo")


def with_preset(config: BuildConfig, preset: str) -> BuildConfig:
    """``config`` with the contexts and embedding of a preset, its inputs and the rest kept.

    ``paper``: the paper's exact protocol: pairs with r >= 0.9 in each data set, skip-gram with
    200 dimensions, 10 epochs, 5 negatives, min_count 5 (the paper's text; its code used 1), no
    other contexts. ``demo``: the setting measured best on the demo compendium (README, "Demo
    results"): each gene's 20 best partners with r >= 0.3 in each data set (a fixed r >= 0.9
    leaves most genes of a few small data sets without contexts), the ARCHS4 TF co-expression
    pairs where the compendium is used, 10 epochs (on the ten-set compendium 15 did no better on its
    Reactome and WikiPathways sets, for ~1.6x the training), min_count 1; the vectors: the skip-gram vectors,
    centred and with their top principal direction removed, beside PPMI-SVD of the same counts
    (``skipgram+ppmi``, chosen on the compendium's own Reactome and WikiPathways sets and the
    low-support cone; README, "Embedding methods")."""
    if preset not in PRESETS:
        raise InputError(f"unknown preset {preset!r}: use one of {', '.join(PRESETS)}")
    paper = preset == "paper"
    coexpression = replace(config.coexpression, threshold=0.9 if paper else 0.3, top_k=0 if paper else 20,
                           components=0)
    embedding = replace(config.embedding, dims=200, epochs=10, window=1, negative=5, sample=1e-3,
                        min_count=5 if paper else 1, method="skipgram-pairs" if paper else "skipgram+ppmi",
                        centre=not paper, remove_top=0 if paper else 1)
    return replace(config, preset=preset, archs4_pairs=config.demo and not paper, coexpression=coexpression,
                   embedding=embedding)


def demo_config(seed: int = 0, preset: str = "demo") -> BuildConfig:
    """The demo build: the embedded compendium with the ``demo`` preset (or ``paper``)."""
    return with_preset(BuildConfig(demo=True, ggi=GGIConfig(max_positive_pairs=100_000)), preset).seeded(seed)


def _from_mapping(cls, data: dict, where: str):
    names = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise InputError(f"unknown setting(s) {unknown} in [{where}]; known: {sorted(names)}")
    defaults, kwargs = cls(), {}
    for key, value in data.items():
        default = getattr(defaults, key)
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise InputError(f"[{key}] must be a table")
            kwargs[key] = _from_mapping(type(default), value, key)
        elif isinstance(default, tuple):
            kwargs[key] = (value,) if isinstance(value, str) else tuple(value)
        else:
            kwargs[key] = value
    return cls(**kwargs)


def config_from_dict(data: dict, where: str = "config") -> BuildConfig:
    """A :class:`BuildConfig` from its ``asdict`` form (a bundle manifest's ``config``), checked."""
    try:
        return _from_mapping(BuildConfig, data, where)
    except TypeError as exc:
        raise InputError(f"bad value in {where} ({exc})") from None


def load_config(path: str | Path) -> BuildConfig:
    """A TOML file whose tables mirror :class:`BuildConfig` (``[embedding] epochs = 10`` ...)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("config file not found", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML ({exc})", path) from None
    try:
        config = _from_mapping(BuildConfig, data, "top level")
    except InputError as exc:
        raise InputError(exc.problem, path) from None
    except TypeError as exc:
        raise InputError(f"bad value ({exc})", path) from None
    if config.preset:
        config = with_preset(config, config.preset)
    if "seed" in data:
        config = config.seeded(config.seed)
    if (config.geo.accessions or config.geo.search) and not config.coexpression.platform:
        config = replace(config, coexpression=replace(config.coexpression, platform=config.geo.platform))
    base = path.parent
    paths = {name: str((base / getattr(config, name)).resolve()) if getattr(config, name) else ""
             for name in ("gene_table", "gene_types", "gene2go", "go_obo")}
    return replace(config, inputs=tuple(str((base / p).resolve()) for p in config.inputs),
                   gene_sets=tuple(str((base / p).resolve()) for p in config.gene_sets),
                   tissues=tuple(str((base / p).resolve()) for p in config.tissues),
                   geo=replace(config.geo, folder=str((base / config.geo.folder).resolve())), **paths)
