"""A gene's neighbourhood as a labelled network: the gene, its nearest genes (or its partners), and
the strongest links among them, placed by their similarities (classical MDS, then spread until no
two labels touch). Plain data for dash-cytoscape; nothing here imports Dash."""
from __future__ import annotations

import numpy as np

from gene2vec_dash import figures, queries
from gene2vec_dash.queries import MapData
from pipeline.bundle import tissue_column

MAX_NODES = 30          # genes around the centre: more and the labels cannot be read
LINKS_EACH = 2          # strongest links a gene keeps to the others (besides its link to the centre)
WIDTH, HEIGHT, GAP = 420.0, 420.0, 40.0      # drawing box and the least distance between two genes


def neighbourhood(data: MapData, symbol: str, k: int, mode: str = "neighbours",
                  colour: tuple[str, str] | None = None) -> list[dict]:
    """Cytoscape elements: ``symbol`` and its ``k`` (at most MAX_NODES) nearest genes by cosine
    (``mode`` "neighbours") or most likely partners by the pair model ("partners"), each linked to
    the centre with its similarity (or P) as weight, and to the others it is at least as close to
    as the median of those links (its LINKS_EACH strongest); nodes coloured by class, or by a
    tissue's z-score when ``colour`` is (atlas, tissue)."""
    k = max(1, min(k, MAX_NODES, len(data.genes) - 1))
    if mode == "partners" and data.predictor is not None:
        found = queries.partners(data, symbol, k)
        rows = np.array([data.row[symbol], *(data.row[s] for s in found["symbol"])])
        similarity = np.stack([data.predictor.probability(int(r), rows) for r in rows]).astype(np.float64)
    else:
        rows = np.array([data.row[symbol], *queries.neighbours(data, symbol, k)["row"]])
        unit = data.unit[rows].astype(np.float64)
        similarity = unit @ unit.T
    xy = spread(radial(mds(np.clip(1.0 - similarity, 0.0, None)), similarity[0]))
    genes = data.genes.iloc[rows]
    colours = _colours(data, rows, colour)
    low = set(queries.low_support(genes.reset_index(drop=True)))
    nodes = [{"data": {"id": s, "label": s, "colour": c,
                       "title": f"{s} ({cls}): {str(d)[:80]}"},
              "position": {"x": float(x), "y": float(y)},
              "classes": " ".join(filter(None, ("centre" if j == 0 else "", "low" if j in low else "")))}
             for j, (s, cls, d, c, (x, y)) in enumerate(zip(genes["symbol"], genes["display_class"],
                                                             genes["description"], colours, xy))]
    return nodes + _edges(genes["symbol"].tolist(), similarity)


def _edges(symbols: list[str], similarity: np.ndarray) -> list[dict]:
    weakest, middle = similarity[0, 1:].min(), np.median(similarity[0, 1:])
    edges = [(0, j) for j in range(1, len(symbols))]
    links = similarity.copy()
    np.fill_diagonal(links, -np.inf)
    links[0, :] = links[:, 0] = -np.inf
    for i in range(1, len(symbols)):
        best = [j for j in np.argsort(-links[i], kind="stable")[:LINKS_EACH] if links[i, j] >= middle]
        edges += [(min(i, j), max(i, j)) for j in best]
    top, bottom = similarity[0, 1:].max(), weakest
    return [{"data": {"source": symbols[i], "target": symbols[j], "weight": round(float(similarity[i, j]), 3),
                      "width": round(1 + 5 * float((similarity[i, j] - bottom) / max(top - bottom, 1e-9)), 2)},
             "classes": "spoke" if i == 0 else "link"} for i, j in dict.fromkeys(edges)]


def _colours(data: MapData, rows: np.ndarray, colour: tuple[str, str] | None) -> list[str]:
    if colour is not None and colour[0] in data.atlases:
        z = data.genes[tissue_column(*colour)].to_numpy(dtype=np.float64)[rows]
        bins = figures.z_bins(z, data.atlases[colour[0]].z_limit)
        return [figures.Z_PALETTE[b] for b in bins]             # its last colour: no score
    return [figures.CLASS_COLOURS.get(str(c), figures.NO_DATA) for c in data.genes["display_class"].to_numpy()[rows]]


def mds(distance: np.ndarray) -> np.ndarray:
    """Classical multidimensional scaling to 2-D: points whose distances follow ``distance``."""
    n = len(distance)
    centre = np.eye(n) - 1.0 / n
    b = -0.5 * centre @ (distance ** 2) @ centre
    values, vectors = np.linalg.eigh(b)
    top = np.argsort(values)[::-1][:2]
    xy = vectors[:, top] * np.sqrt(np.clip(values[top], 1e-12, None))
    return xy * np.where(xy[np.abs(xy).argmax(axis=0), [0, 1]] < 0, -1, 1)      # a fixed orientation


def radial(xy: np.ndarray, closeness: np.ndarray) -> np.ndarray:
    """The centre (row 0) in the middle, each other gene in the direction MDS gives it (so similar
    genes stay side by side) at a distance that grows as its ``closeness`` to the centre falls."""
    direction = xy[1:] - xy[0]
    angle = np.arctan2(direction[:, 1], direction[:, 0])
    c = closeness[1:]
    radius = 0.35 + 0.65 * (c.max() - c) / max(float(np.ptp(c)), 1e-9)
    return np.vstack([[0.0, 0.0], np.c_[np.cos(angle), np.sin(angle)] * radius[:, None]])


def spread(xy: np.ndarray, steps: int = 200) -> np.ndarray:
    """Scale points (centre at the origin, within 1 of it) into the drawing box, then push apart any
    two closer than GAP (the centre stays put), so that every label can be read."""
    turn = np.arange(len(xy)) * 2.4                                 # coincident points: a nudge apart
    xy = xy * [WIDTH / 2, HEIGHT / 2] + 1e-3 * np.c_[np.cos(turn), np.sin(turn)]
    for _ in range(steps):
        gap = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((gap ** 2).sum(-1)) + np.eye(len(xy))
        close = (dist < GAP) & ~np.eye(len(xy), dtype=bool)
        if not close.any():
            break
        push = (gap / dist[..., None] * ((GAP - dist) * close)[..., None]).sum(axis=1) / 2
        push[0] = 0
        xy = xy + push
    return xy
