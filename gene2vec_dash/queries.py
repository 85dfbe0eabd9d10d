"""What the app asks of a bundle, as plain functions over arrays (no Dash here).

Neighbours are by cosine similarity in the full embedding (not on the 2-D map, which distorts
distances); one matrix-vector product over all genes, a few milliseconds for 25k genes.
"""
from __future__ import annotations

import functools
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gene2vec_dash import names
from gene2vec_dash.genelists import GeneSets
from pipeline.bundle import Bundle, read_bundle
from pipeline.candidates import hubness, with_tissues
from pipeline.evaluate import mean_pairwise
from pipeline.sources.genes import read_symbol_renames
from pipeline.support import LOW, meaning

if TYPE_CHECKING:
    from gene2vec_dash.evidence import Evidence
    from gene2vec_dash.functions import Functions
    from pipeline.pairs import PairPredictor

MAX_K = 500


@dataclass(frozen=True)
class AtlasView:
    """What the colouring controls and legend need of one tissue atlas."""

    key: str
    name: str
    unit: str
    tissues: list[str]
    z_limit: float                      # the colour scale's ends, fitted to the atlas at build time
    patterns: dict                      # tissue -> the build's tissue-pattern figures


@dataclass
class MapData:
    """A loaded bundle plus the indexes the app's queries need. The pair model, the gene sets and the
    predicted functions load in a thread (``later``): a server answers its first page before torch and
    scipy.stats are imported."""

    bundle: Bundle
    genes: pd.DataFrame
    unit: np.ndarray                    # float32 rows of length 1
    row: dict[str, int]                 # official symbol -> row
    alias: dict[str, str]               # upper-case symbol or alias -> official symbol
    atlases: dict[str, AtlasView]
    entrez: dict[str, str]              # Entrez id (text) -> official symbol
    random_similarity: float            # mean cosine of 1,000 random genes' pairs (clusteredness' denominator)
    later: Future                       # -> (pair model or None, gene sets, predicted functions or None)
    newer: dict[str, str]               # symbol -> its symbol in the newer gene table of the renames
    names_date: str                     # that table's date

    @functools.cached_property
    def names(self) -> names.NameIndex:
        """Sorted names for the gene box's suggestions (built at the first keystroke)."""
        return names.NameIndex.build(self.alias, self.genes)

    @property
    def predictor(self) -> "PairPredictor | None":
        """The pair model, every gene encoded at load (waits for the loading thread)."""
        return self.later.result()[0]

    @functools.cached_property
    def evidence(self) -> "Evidence | None":
        """The bundle's per-data-set evidence, opened on first use (None: a bundle built without it)."""
        from gene2vec_dash.evidence import Evidence

        return Evidence.open(self.bundle.path, self.genes["symbol"].to_numpy(dtype=str))

    @property
    def functions(self) -> "Functions | None":
        """The build's predicted functions (None: a bundle built without them; waits for the loading thread)."""
        return self.later.result()[2]

    @functools.cached_property
    def tissue_profiles(self) -> tuple[list[np.ndarray], np.ndarray] | None:
        """The atlases' unit tissue profiles and each gene's row in each (-1: not scored), in the order of
        :attr:`atlases`, as the functions stage reads them (:func:`pipeline.function_table.atlas_profiles`)."""
        from pipeline.function_table import atlas_profiles

        return atlas_profiles(self.genes)

    @functools.cached_property
    def list_space(self) -> np.ndarray:
        """Where a list's candidates are scored: the vectors beside the atlases' profiles (on first use)."""
        return with_tissues(self.unit, self.tissue_profiles)

    @functools.cached_property
    def hubness(self) -> np.ndarray:
        """Each gene's mean cosine to every gene in :attr:`list_space` (the candidates' hub correction)."""
        return hubness(self.list_space)

    @property
    def sets(self) -> GeneSets:
        """What a gene list is tested against (waits for the loading thread)."""
        return self.later.result()[1]

    @classmethod
    def load(cls, path: str | Path, wait: bool = True) -> "MapData":
        """Read and check a bundle; ``wait=False`` returns before the pair model and gene sets are
        loaded (their errors are raised by ``later.result()``, or by the first use)."""
        bundle = read_bundle(path)
        genes = bundle.genes.reset_index(drop=True)
        vectors = np.asarray(bundle.vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        symbols = genes["symbol"].astype(str).tolist()
        renames, about = read_symbol_renames()
        newer = names.newer_symbols(genes, renames)
        alias = {new.upper(): old for old, new in newer.items()}      # newer symbols (FIRRM) as aliases
        if "aliases" in genes.columns:
            for symbol, joined in zip(symbols, genes["aliases"].fillna("")):
                for name in filter(None, str(joined).split("|")):
                    alias.setdefault(name.upper(), symbol)
        alias.update({s.upper(): s for s in symbols})        # official symbols win
        unit = vectors / np.where(norms == 0, 1, norms)
        row = {s: k for k, s in enumerate(symbols)}
        entrez = {str(e): s for e, s in zip(genes["entrez"], symbols) if pd.notna(e)}
        background = np.random.default_rng(0).choice(len(unit), size=min(1000, len(unit)), replace=False)
        pool = ThreadPoolExecutor(1, thread_name_prefix="gene2vec-load")
        later = pool.submit(_load_later, bundle, vectors, row)
        pool.shutdown(wait=False)
        data = cls(bundle, genes, unit, row, alias, _atlases(bundle), entrez, mean_pairwise(unit[background]), later,
                   newer, about.get("renames_date", ""))
        if wait:
            later.result()
        return data

    def resolve(self, text: str | None) -> str | None:
        """Official symbol for a symbol, alias (any case) or Entrez id; None if unknown."""
        if not text:
            return None
        text = str(text).strip()
        return self.alias.get(text.upper()) or self.entrez.get(text)


def _load_later(bundle: Bundle, vectors: np.ndarray, row: dict[str, int]
                ) -> tuple["PairPredictor | None", GeneSets, "Functions | None"]:
    from gene2vec_dash.functions import Functions
    from pipeline.pairs import PairPredictor  # imports torch: 2 s the first page does not need

    predictor = PairPredictor(bundle.pair_model_path, vectors) if bundle.pair_model_path else None
    sets = GeneSets.from_frame(bundle.gene_sets(), row)
    found = Functions.open(bundle.path, len(row), bundle.manifest.get("functions", {}))
    import scipy.stats  # noqa: F401  (the first enrichment's import, made here instead)
    return predictor, sets, found


def _atlases(bundle: Bundle) -> dict[str, AtlasView]:
    meta = {a["key"]: a for a in bundle.manifest.get("annotations", {}).get("atlases", [])}
    patterns = bundle.manifest.get("metrics", {}).get("tissue_patterns", {})
    return {key: AtlasView(key, meta.get(key, {}).get("name", key), meta.get(key, {}).get("unit", ""), tissues,
                           float(meta.get(key, {}).get("z_limit") or 2.5), patterns.get(key, {}))
            for key, tissues in bundle.atlases.items()}


def search(data: MapData, text: str | None, limit: int = 20) -> list[tuple[str, str | None]]:
    """(symbol, the alias or Entrez id it matched, or None) for a type-ahead box, best first (names.search)."""
    return names.search(data.names, data.resolve(text), text, limit)


def neighbours(data: MapData, symbol: str, k: int) -> pd.DataFrame:
    """The k genes most similar to ``symbol`` (cosine), most similar first (k within 1..MAX_K and the
    number of other genes)."""
    row = data.row[symbol]
    k = max(1, min(k, MAX_K, len(data.unit) - 1))
    sims = data.unit @ data.unit[row]
    sims[row] = -np.inf
    top = np.argpartition(-sims, k - 1)[:k]
    top = top[np.argsort(-sims[top], kind="stable")]
    g = data.genes.iloc[top]
    return pd.DataFrame({"rank": np.arange(1, len(top) + 1), "symbol": g["symbol"].to_numpy(),
                         "similarity": np.round(sims[top].astype(np.float64), 4),
                         "support": tiers(g), "class": g["display_class"].astype(str).to_numpy(),
                         "description": g["description"].to_numpy(), "row": top})


def tiers(genes: pd.DataFrame) -> np.ndarray:
    """Each gene's support tier ("unknown" for an imported embedding, which has no contexts)."""
    if "support" not in genes.columns:
        return np.full(len(genes), "unknown", dtype=object)
    return genes["support"].fillna("unknown").astype(str).to_numpy()


def low_support(genes: pd.DataFrame) -> np.ndarray:
    """Rows of the genes whose vectors few contexts placed (tiers "low" and "very low")."""
    return np.flatnonzero(np.isin(tiers(genes), LOW))


def support(data: MapData, symbol: str) -> dict:
    """How much co-expression evidence placed a gene, in numbers and in words, and whether its
    neighbours need a caution."""
    g = data.genes.iloc[data.row[symbol]]
    tier = _text(g.get("support")) or "unknown"
    m = data.bundle.manifest
    sources = len(m.get("inputs", [])) + len(m.get("extra_pairs", []))
    contexts, datasets = _text(g.get("contexts")), _text(g.get("datasets"))
    if tier == "unknown":
        words = "not known (an imported embedding records no contexts)"
    else:
        of = "sources" if m.get("extra_pairs") else "data sets"     # the ARCHS4 lists are no data set
        where = f" from {datasets} of {sources} {of}" if datasets and sources else ""
        words = f"{tier}: {contexts} co-expression contexts{where}; {meaning(tier, one_source=datasets == '1')}"
    return {"tier": tier, "contexts": contexts, "datasets": datasets, "sources": sources, "words": words,
            "low": tier in LOW}


def _rank_among(scores: np.ndarray, of: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Row k: the rank (1 = best) of gene ``of[k]`` among all genes by ``scores[k]``, gene ``own[k]``
    itself left out."""
    scores = scores.copy()
    scores[np.arange(len(own)), own] = -np.inf
    return (scores > scores[np.arange(len(of)), of][:, None]).sum(axis=1) + 1


def pair(data: MapData, a: str, b: str) -> dict:
    """Interaction probability (pair model), cosine similarity, and where each gene stands among
    the other's predicted partners (rank 1 = its best)."""
    ra, rb = data.row[a], data.row[b]
    out = {"a": a, "b": b, "cosine": float(data.unit[ra] @ data.unit[rb]), "probability": None}
    if data.predictor is not None:
        both = data.predictor.probabilities(np.array([ra, rb]))
        rank_b, rank_a = _rank_among(both, np.array([rb, ra]), np.array([ra, rb]))
        out.update(probability=float(both[0, rb]), rank_b_among_a=int(rank_b), rank_a_among_b=int(rank_a),
                   genes=both.shape[1])
    return out


def partners(data: MapData, a: str, k: int = 10) -> pd.DataFrame:
    """The genes the pair model rates most likely to interact with ``a``, and for each, the rank of
    ``a`` among that gene's own predicted partners: a specific partner ranks ``a`` near the top, a
    generic one (likely with everyone) far down."""
    columns = ["rank", "symbol", "probability", "reciprocal", "support", "class", "description"]
    if data.predictor is None:
        return pd.DataFrame(columns=columns)
    ra = data.row[a]
    prob = data.predictor.probability(ra)
    prob[ra] = -np.inf
    k = max(1, min(k, MAX_K, len(prob) - 1))
    best = np.argpartition(-prob, k - 1)[:k]
    top = best[np.lexsort((best, -prob[best]))]             # best first, ties by row
    reciprocal = _rank_among(data.predictor.probabilities(top), np.full(len(top), ra), top)
    g = data.genes.iloc[top]
    return pd.DataFrame({"rank": np.arange(1, len(top) + 1), "symbol": g["symbol"].to_numpy(),
                         "probability": np.round(prob[top].astype(np.float64), 3), "reciprocal": reciprocal,
                         "support": tiers(g),
                         "class": g["display_class"].astype(str).to_numpy(),
                         "description": g["description"].to_numpy()})[columns]


LINKS = (("NCBI Gene", "https://www.ncbi.nlm.nih.gov/gene/{entrez}"),
         ("HGNC", "https://www.genenames.org/tools/search/#!/?query={symbol}"),
         ("GeneCards", "https://www.genecards.org/cgi-bin/carddisp.pl?gene={symbol}"),
         ("GTEx portal", "https://gtexportal.org/home/gene/{symbol}"),
         ("STRING", "https://string-db.org/cgi/network?identifiers={symbol}&species=9606"),
         ("ARCHS4", "https://maayanlab.cloud/archs4/gene/{symbol}"),
         ("Ensembl", "https://www.ensembl.org/Homo_sapiens/Gene/Summary?g={ensembl}"))


def gene_card(data: MapData, symbol: str) -> dict:
    """What the gene card shows: names and identifiers from the bundle, and links out built from
    them (nothing is fetched; a link that needs an identifier the gene lacks is left out)."""
    g = data.genes.iloc[data.row[symbol]]
    ids = {"symbol": symbol, "entrez": _text(g.get("entrez")), "ensembl": _text(g.get("ensembl"))}
    links = [(name, url.format(**ids)) for name, url in LINKS
             if all(ids[key] for key in re.findall(r"{(\w+)}", url))]
    aliases = [a for a in _text(g.get("aliases")).split("|") if a]
    if symbol in data.newer:                                  # its symbol today first, with the table's date
        aliases = [f"{data.newer[symbol]} (symbol in NCBI Gene of {data.names_date})", *aliases]
    kind = _text(g.get("gene_type")) or _text(g.get("type_of_gene"))          # GENCODE's, else NCBI's
    return {**ids, "name": _text(g.get("description")), "type": kind, "class": str(g["display_class"]),
            "aliases": aliases, "support": support(data, symbol)["words"], "links": links}


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def set_view(data: MapData, k: int) -> dict:
    """A gene set on the map: its genes and the paper's clusteredness of the set alone (mean
    cosine within the set / mean cosine of random gene pairs)."""
    rows = data.sets.rows_of(k)
    within = mean_pairwise(data.unit[rows])
    return {"source": str(data.sets.source[k]), "name": str(data.sets.name[k]), "rows": rows,
            "within": within, "random": data.random_similarity, "ratio": within / data.random_similarity}
