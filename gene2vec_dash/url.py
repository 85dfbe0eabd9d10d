"""The view's state in the URL, kept in step with the controls by one callback.

Each panel declares its part: the controls whose values the URL holds (:class:`Control`) and the
clicks that pick a gene (:class:`Pick`); :func:`register` makes one callback of all of them. The
URL is the state: on load (or back/forward) it sets the controls; a control's change (or a click on
the map or a table) rewrites it. Reading a link is :mod:`gene2vec_dash.state`'s.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from dash import Dash, Input, Output, State, ctx, no_update

from gene2vec_dash import ids, inputs
from gene2vec_dash.genebox import gene, options
from gene2vec_dash.names import find_tissue, tissue_options
from gene2vec_dash.panel import Others
from gene2vec_dash.queries import MapData
from gene2vec_dash.state import COLOR_MODES, NETWORK_MODES, SUPPORT_VIEWS, ViewState, link_list, parse_query


@dataclass(frozen=True)
class Control:
    """A component property the URL state sets under ``key``; with ``reads``, its change also
    rewrites the URL (messages and options are only set); without ``sets``, it is only read (the
    Gene list tab's list: the tab reads a link's list itself, to say what of it was found)."""

    key: str
    id: str
    prop: str = "value"
    reads: bool = True
    sets: bool = True


@dataclass(frozen=True)
class Pick:
    """A click that picks the gene (``what`` "gene") or the pair's second gene ("partner"): a point
    of the map (``clickData``), a network's node (``tapNodeData``) or a cell of the table ``id``
    (``active_cell``, its rows sent as state)."""

    what: str
    id: str
    prop: str

    @property
    def table(self) -> bool:
        return self.prop == "active_cell"

    def read(self, value: object, rows: object) -> str | None:
        if self.table:
            return inputs.table_pick(value, rows)
        return inputs.node(value) if self.prop == "tapNodeData" else inputs.clicked(value)


Atlases = dict[str, list[str]]


def register(app: Dash, data: MapData, others: Others, parts: Sequence[Control | Pick], tabs: Sequence[str]) -> None:
    """The one URL <-> controls callback over the panels' declared ``parts``; ``tabs``: the side
    panel's tabs (a link opens on the one its view is about)."""
    atlases = {key: a.tissues for key, a in data.atlases.items()}
    first_other = next(iter(others), None)
    controls = [p for p in parts if isinstance(p, Control)]
    setting = [c for c in controls if c.sets]
    read_by_panel = {c.id for c in controls if not c.sets}    # the Gene list's list: its tab reads the link
    picks = [p for p in parts if isinstance(p, Pick)]
    readers = [c.key for c in controls if c.reads]
    if len(set(readers)) < len(readers):
        raise ValueError(f"two controls read the same part of the URL: {sorted(readers)}")
    outputs = {"search": Output(ids.URL, "search"), **{f"set{k}": Output(c.id, c.prop) for k, c in enumerate(setting)},
               "tab": Output(ids.SIDE_TABS, "value", allow_duplicate=True)}
    read = {"search": Input(ids.URL, "search"), **{f"pick{k}": Input(p.id, p.prop) for k, p in enumerate(picks)},
            **{c.key: Input(c.id, c.prop) for c in controls if c.reads}, "tab": Input(ids.SIDE_TABS, "value")}
    state = {f"rows{k}": State(p.id, "data") for k, p in enumerate(picks) if p.table}

    @app.callback(output=outputs, inputs=read, state=state, prevent_initial_call="initial_duplicate")
    def sync(search, **values) -> dict:
        trigger = ctx.triggered_id
        tab = no_update
        if trigger in (None, ids.URL):
            view, pathway, notes = _from_link(data, atlases, search, tuple(others))
            tab = _changed(_link_tab(view, tabs), values["tab"])
        else:
            picked = _picked(trigger, picks, values)
            view, pathway, notes = _from_controls(data, atlases, trigger, picked, tuple(others), values)
            if not view.genes and trigger not in read_by_panel:     # a link's list not yet tested stays in it
                view = replace(view, genes=link_list(inputs.link(search)[0]))
        if view.gene and not view.pair_a:
            view = replace(view, pair_a=view.gene)
        query = view.to_query()
        now = {"gene": view.gene, "k": view.k, "color": view.color, "atlas": view.atlas, "tissue": view.tissue,
               "pair_a": view.pair_a, "pair_b": view.pair_b, "pathway": pathway, "support": view.support,
               "compare": view.compare or first_other, "network": view.network or no_update}
        said = {**now, **notes, "gene_options": options(view.gene), "pair_a_options": options(view.pair_a),
                "pair_b_options": options(view.pair_b), "tissues": tissue_options(atlases.get(view.atlas, []))}
        # a control's value is sent only when it changes: Dash fires every callback of a prop it is sent,
        # changed or not, and each would redraw the 25k-point map (options feed no callback)
        return {"search": query if query != (search or "") else no_update, "tab": tab,
                **{f"set{k}": _changed(said.get(c.key, no_update), values[c.key]) if c.reads else
                   said.get(c.key, no_update) for k, c in enumerate(setting)}}


def _changed(value: object, current: object) -> object:
    return no_update if value is no_update or value == current else value


def _link_tab(view: ViewState, tabs: Sequence[str]) -> object:
    """The tab a link opens on: the Compare tab for a comparison, the Network tab for a network, Partners
    for a pair or for a pair's first gene alone (``?pair=CDK1``: its partners; the Gene tab would be
    empty), else as it is (a list's test opens the Gene list tab itself, once the list is read)."""
    paired = view.pair_a and (view.pair_b or not view.gene)
    wanted = ids.TAB_COMPARE if view.compare else ids.TAB_NETWORK if view.network else \
        ids.TAB_PAIR if paired else None
    return wanted if wanted in tabs else no_update


def _from_link(data: MapData, atlases: Atlases, search: object, compared: tuple[str, ...]
               ) -> tuple[ViewState, int | None, dict]:
    """The view a link asks for, its genes resolved, and what of it could not be followed (said in
    the gene, colour and k messages)."""
    query, link_note = inputs.link(search)
    view, colour_message, k_message = parse_query(query, atlases, compared)
    requested, pair = view.gene, (view.pair_a, view.pair_b)
    view = replace(view, gene=data.resolve(view.gene), pair_a=data.resolve(view.pair_a),
                   pair_b=data.resolve(view.pair_b))
    pair_note = " ".join(f"Pair: {n}" for n in (resolution_note(asked, got) for asked, got in
                                                 zip(pair, (view.pair_a, view.pair_b))) if n)
    pathway = data.sets.index_of(view.gene_set)
    set_note = network_note = ""
    if view.gene_set and pathway is None:
        set_note = f"No gene set named “{inputs.shown(view.gene_set)}” in this map."
        view = replace(view, gene_set=None)
    if view.network == "partners" and data.bundle.pair_model_path is None:
        network_note = "This map has no pair model: the Network tab shows the nearest genes."
        view = replace(view, network="neighbours")
    if view.compare:                            # one tab is shown: the comparison's
        view = replace(view, network=None)
    return view, pathway, {"gene_message": resolution_note(requested, view.gene), "k_message": k_message,
                           "colour_message": " ".join(filter(None, (link_note, colour_message, set_note,
                                                                    network_note, pair_note)))}


def _picked(trigger: str, picks: list[Pick], values: dict) -> tuple[str | None, str | None]:
    """(gene, partner): the gene clicked on the map or in a table of genes, or the partner clicked."""
    for k, p in enumerate(picks):
        if trigger == p.id:
            name = p.read(values[f"pick{k}"], values.get(f"rows{k}"))
            return (name, None) if p.what == "gene" else (None, name)
    return None, None


def _from_controls(data: MapData, atlases: Atlases, trigger: str, picked: tuple[str | None, str | None],
                   compared: tuple[str, ...], values: dict) -> tuple[ViewState, int | None, dict]:
    """The view after a control changed or a gene was clicked, and which messages that sets or
    clears (a control's value that could not be used is said in its panel's message)."""
    notes = {}
    value = values.get
    chosen, colour = inputs.name(value("gene")), inputs.choice(value("color"), COLOR_MODES)
    atlas_key = inputs.choice(value("atlas"), atlases)
    tissue_name, set_k = inputs.text(value("tissue")), inputs.index(value("pathway"), len(data.sets))
    if atlas_key:                       # the tissue's own name in the atlas, else (a new atlas) its first tissue
        tissue_name = (find_tissue(atlases, tissue_name, atlas_key) or (None, atlases[atlas_key][0]))[1]
    checked, k_note = inputs.k(value("k"))
    if trigger == ids.K:
        notes["k_message"] = k_note
    if trigger in (ids.COLOR_MODE, ids.ATLAS, ids.TISSUE):
        notes["colour_message"] = (inputs.ignored(value("color"), colour, "a colouring")
                                   or inputs.ignored(value("atlas"), atlas_key, "an atlas of this map")
                                   or inputs.ignored(value("tissue"), inputs.text(value("tissue")), "a tissue name"))
    clicked, partner = picked
    resolved = data.resolve(chosen)
    view = ViewState(gene=clicked if clicked in data.row else resolved, k=checked, color=colour or "class",
                     atlas=atlas_key, tissue=tissue_name, pair_a=gene(data, value("pair_a")),
                     pair_b=data.resolve(partner) or gene(data, value("pair_b")),
                     gene_set=None if set_k is None else str(data.sets.name[set_k]),
                     support=inputs.choice(value("support"), SUPPORT_VIEWS) or "show",
                     # the link names the comparison (the network) while the Compare (Network) tab shows it
                     compare=inputs.choice(value("compare"), compared) if value("tab") == ids.TAB_COMPARE else None,
                     network=(inputs.choice(value("network"), NETWORK_MODES) or "neighbours")
                     if value("tab") == ids.TAB_NETWORK else None,
                     genes=tuple(g for g in inputs.symbols(value("list"))[0] or () if g in data.row))
    if view.gene != resolved or trigger == ids.GENE:
        notes["gene_message"] = inputs.ignored(value("gene"), chosen, "a gene name") if trigger == ids.GENE else ""
        view = replace(view, pair_a=view.gene or view.pair_a)   # the pair panel follows the gene
    return view, set_k, notes


def resolution_note(requested: str | None, symbol: str | None) -> str:
    """What became of a gene named in a link: not found, or read as an alias ("p53 → TP53")."""
    if not requested:
        return ""
    if symbol is None:
        return f"No gene named “{inputs.shown(requested)}” on this map."
    typed = requested.strip()
    return "" if typed == symbol else f"{inputs.shown(typed)} → {symbol} (its symbol on this map)"
