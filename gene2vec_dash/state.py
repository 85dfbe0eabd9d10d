"""The view's state in the URL query string, so that a view can be bookmarked and shared:
``?gene=TP53&k=15&color=tissue&atlas=gtex&tissue=Liver&pair=TP53,MDM2&set=...&support=fade&compare=NAME
&network=partners&list=BRCA1,RAD51,...``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from gene2vec_dash import inputs
from gene2vec_dash.names import find_tissue

COLOR_MODES = ("class", "tissue")
SUPPORT_VIEWS = ("show", "fade", "hide")     # what the map does with low-support genes
NETWORK_MODES = ("neighbours", "partners")   # what the Network tab draws around the gene
LIST_IN_LINK = 2000      # characters of a gene list a link holds (~250 symbols): a bigger list stays out of the
                         # link, which would otherwise pass the MAX_LINK the app reads


@dataclass(frozen=True)
class ViewState:
    gene: str | None = None
    k: int = inputs.DEFAULT_K
    color: str = "class"
    atlas: str | None = None
    tissue: str | None = None
    pair_a: str | None = None
    pair_b: str | None = None
    gene_set: str | None = None         # a gene set shown on the map, by name
    support: str = "show"               # low-support genes shown, faded or hidden on the map
    compare: str | None = None          # the embedding this map is compared with (by name; None: the first)
    network: str | None = None          # the Network tab's mode while that tab is shown (None: not shown)
    genes: tuple[str, ...] = ()         # the Gene list tab's list (pasted or selected), official symbols

    def to_query(self) -> str:
        tissue = self.color == "tissue"
        items = {"gene": self.gene, "k": self.k, "color": self.color,
                 "atlas": self.atlas if tissue else None, "tissue": self.tissue if tissue else None,
                 "pair": f"{self.pair_a},{self.pair_b}" if self.pair_a and self.pair_b else None,
                 "set": self.gene_set, "support": None if self.support == "show" else self.support,
                 "compare": self.compare, "network": self.network, "list": listed(self.genes)}
        return "?" + urlencode({k: v for k, v in items.items() if v not in (None, "")})


def listed(genes: tuple[str, ...]) -> str | None:
    """A gene list as a link holds it ("BRCA1,RAD51"), None when it is empty or too long for a link."""
    text = ",".join(genes)
    return text if 0 < len(text) <= LIST_IN_LINK else None


def names_listed(text: str | None) -> tuple[str, ...]:
    """The names of a link's list ("BRCA1,RAD51"), each once, in order (read as typed: the Gene list
    tab resolves them)."""
    return tuple(dict.fromkeys(g.strip() for g in (text or "")[:LIST_IN_LINK].split(",") if g.strip()))


def link_list(query: str) -> tuple[str, ...]:
    """The names of the list a link's query string (as :func:`gene2vec_dash.inputs.link` reads it) holds."""
    found = parse_qs(query.lstrip("?")).get("list")
    return names_listed(found[0] if found else None)


def parse_query(search: str, atlases: dict[str, list[str]], compared: tuple[str, ...] = ()
                ) -> tuple[ViewState, str, str]:
    """Lenient: anything missing or invalid falls back to the default (a shared link never
    errors). Returns the state and what was not understood, said in two notes ("" when all was):
    one for the link's view (colouring, support, comparison) and one for k. ``compared``: the
    names of the embeddings this server compares with. ``search`` is at most inputs.MAX_LINK long."""
    q = {k: v[0] for k, v in parse_qs(search.lstrip("?")).items() if v}
    k, k_note = inputs.k(q.get("k"))
    state = ViewState(gene=q.get("gene") or None, k=k)
    notices = []
    if q.get("color") in COLOR_MODES:
        state = replace(state, color=q["color"])
    elif q.get("color"):
        notices.append(f"No colouring “{inputs.shown(q['color'])}” (use {' or '.join(COLOR_MODES)}): "
                       "showing gene classes.")
    if q.get("support") in SUPPORT_VIEWS:
        state = replace(state, support=q["support"])
    elif q.get("support"):
        notices.append(f"support=“{inputs.shown(q['support'])}” is not one of {', '.join(SUPPORT_VIEWS)}: "
                       "showing every gene.")
    if q.get("compare") in compared:
        state = replace(state, compare=q["compare"])
    elif q.get("compare"):
        notices.append(f"No embedding “{inputs.shown(q['compare'])}” to compare with " + (
            f"(this map is compared with {', '.join(compared)})." if compared else
            "(this server compares with none: start it with --compare DIR)."))
    if q.get("network") in NETWORK_MODES:
        state = replace(state, network=q["network"])
    elif q.get("network"):
        notices.append(f"network=“{inputs.shown(q['network'])}” is not one of {', '.join(NETWORK_MODES)}: "
                       "showing the nearest genes.")
        state = replace(state, network="neighbours")
    atlas = q.get("atlas")
    if atlas and atlas not in atlases:
        notices.append(f"No tissue atlas “{inputs.shown(atlas)}” in this map "
                       f"(it has {', '.join(atlases) or 'none'}).")
        atlas = None
    default_atlas = atlas or next(iter(atlases), None)
    state = replace(state, atlas=default_atlas, tissue=(atlases.get(default_atlas) or [None])[0])
    if q.get("tissue"):
        found = find_tissue(atlases, q["tissue"], atlas)
        if found:
            state = replace(state, atlas=found[0], tissue=found[1])
        else:
            notices.append(f"No tissue “{inputs.shown(q['tissue'])}” in {atlas or 'any atlas of this map'}: "
                           "showing gene classes; choose a tissue from the list.")
            state = replace(state, color="class")
    if state.color == "tissue" and not atlases:
        state = replace(state, color="class")
    a, _, b = (q.get("pair") or "").partition(",")
    state = replace(state, pair_a=a or None, pair_b=b or None, gene_set=q.get("set") or None,
                    genes=names_listed(q.get("list")))
    return state, " ".join(notices), k_note
