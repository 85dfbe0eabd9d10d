"""The gene box: a searchable dropdown of genes (the Gene tab's and the Partners tab's two), its
type-ahead suggestions, and reading a box's value as an official symbol."""
from __future__ import annotations

from dash import Dash, Input, Output, State, dcc
from dash.exceptions import PreventUpdate

from gene2vec_dash import inputs, queries
from gene2vec_dash.queries import MapData


def gene_dropdown(id_: str, placeholder: str, clearable: bool = True) -> dcc.Dropdown:
    """A gene box; ``clearable=False`` where Enter must not unselect the gene shown (Dash's dropdown
    toggles the selected option off on Enter when it can be cleared)."""
    return dcc.Dropdown(id=id_, options=[], value=None, placeholder=placeholder, searchable=True,
                        clearable=clearable, search_order="original", className="gene-dropdown")   # the server's order


def gene(data: MapData, value: object) -> str | None:
    """The official symbol a gene control's value names, None for anything else."""
    return data.resolve(inputs.name(value))


def options(*symbols: str | None) -> list[str]:
    """A box's options when it shows a gene: that gene alone (suggestions come as one types)."""
    return list(dict.fromkeys(s for s in symbols if s))


def register(app: Dash, data: MapData, dropdown: str) -> None:
    """Suggestions for what is typed into the box ``dropdown``."""
    @app.callback(Output(dropdown, "options", allow_duplicate=True), Input(dropdown, "search_value"),
                  State(dropdown, "value"), prevent_initial_call=True)
    def suggest(text, current):
        typed = inputs.name(text)
        if not typed:
            raise PreventUpdate
        hits = dict(queries.search(data, typed))
        # "search" holds what was typed: an alias match must survive the dropdown's own filter. The
        # current gene stays an option (the box shows it) but last, found by its own name only, so a
        # suggestion is never the gene already shown
        now = gene(data, current)
        found = [{"label": label(data, s, hits.get(s)), "value": s, "search": f"{s} {typed}"}
                 for s in hits if s != now]
        return found + ([{"label": label(data, now, hits.get(now)), "value": now,
                          "search": f"{now} {typed}" if now in hits else now}] if now else [])


def label(data: MapData, symbol: str, alias: str | None = None) -> str:
    """"CDK1 (Entrez 983) — cyclin...": the name it was found by when that is not its symbol."""
    desc = str(data.genes.at[data.row[symbol], "description"])[:40]
    kind = "Entrez" if alias and data.entrez.get(alias) == symbol else "alias"
    matched = f" ({kind} {alias})" if alias else ""
    return f"{symbol}{matched} — {desc}" if desc else symbol + matched
