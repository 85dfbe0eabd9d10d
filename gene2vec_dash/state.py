"""The view's state in the URL query string, so that a view can be bookmarked and shared:
``?gene=TP53&k=15&color=tissue&tissue=heart&pair=TP53,MDM2``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from gene2vec_dash.queries import clamp_k

COLOR_MODES = ("class", "tissue")


@dataclass(frozen=True)
class ViewState:
    gene: str | None = None
    k: int = 15
    color: str = "class"
    tissue: str | None = None
    pair_a: str | None = None
    pair_b: str | None = None

    def to_query(self) -> str:
        items = {"gene": self.gene, "k": self.k, "color": self.color,
                 "tissue": self.tissue if self.color == "tissue" else None,
                 "pair": f"{self.pair_a},{self.pair_b}" if self.pair_a and self.pair_b else None}
        return "?" + urlencode({k: v for k, v in items.items() if v not in (None, "")})


def parse_query(search: str | None, tissues: list[str]) -> ViewState:
    """Lenient: anything missing or invalid falls back to the default (a shared link never errors)."""
    q = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items() if v}
    state = ViewState(gene=q.get("gene") or None, k=clamp_k(q.get("k")))
    if q.get("color") in COLOR_MODES:
        state = replace(state, color=q["color"])
    tissue = q.get("tissue")
    state = replace(state, tissue=tissue if tissue in tissues else (tissues[0] if tissues else None))
    if state.color == "tissue" and not tissues:
        state = replace(state, color="class")
    a, _, b = (q.get("pair") or "").partition(",")
    return replace(state, pair_a=a or None, pair_b=b or None)
