"""The side panel's tables: one style, a width per column so that they fit the panel at 1280 px,
and the greying of genes that few contexts placed (shared by the Gene, Partners and Compare tabs)."""
from __future__ import annotations

from dash import dash_table
from dash.dash_table.Format import Format, Scheme, Trim

from pipeline.support import LOW, tier_bounds

TABLE_STYLE = dict(
    style_table={"overflowY": "auto", "overflowX": "hidden", "maxHeight": "calc(100vh - 360px)", "minHeight": "120px"},
    style_cell={"fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', "fontSize": 13,
                "padding": "3px 6px", "textAlign": "left", "whiteSpace": "nowrap", "overflow": "hidden",
                "textOverflow": "ellipsis", "maxWidth": 220},
    style_header={"fontWeight": 600, "backgroundColor": "#f2f4f7"},
    page_action="none", sort_action="native",
)

# a gene's symbol is shown whole, wrapped where it must be ("DTX2P1-UPK3BP1-PMS2P11" at its hyphens;
# a rule, not a cell style: DataTable drops the overflow-wrap of a style, and a cell's inline style wins)
WHOLE_SYMBOLS = {"selector": "td[data-dash-column=symbol]",
                 "rule": "white-space: normal !important; overflow-wrap: anywhere"}

# rows of genes that few contexts placed: greyed, their support word in the caution colour
LOW_STYLE = {"color": "#7b8590", "fontStyle": "italic"}
LOW_ROWS = [{"if": {"filter_query": " || ".join(f'{{support}} = "{t}"' for t in LOW)}, **LOW_STYLE},
            {"if": {"filter_query": " || ".join(f'{{support}} = "{t}"' for t in LOW), "column_id": "support"},
             "color": "#a4260f", "fontWeight": 600}]
# numbers shown alike down a column: cosines and partner probabilities to 3 decimals (0.922, 0.899,
# 0.897, never 0.8969 under 0.899 or 0.93 over 0.943), enrichment folds to 3 significant digits (410, 1010, 3.2)
FORMATS = {"similarity": Format(precision=3, scheme=Scheme.fixed),
           "probability": Format(precision=3, scheme=Scheme.fixed),
           "fold": Format(precision=3, scheme=Scheme.decimal, trim=Trim.yes)}
SUPPORT_TIP = ("How much co-expression placed the gene: "
               + ", ".join(f"{tier} {bound}" + (" contexts" if k == 0 else "")
                           for k, (tier, bound) in enumerate(tier_bounds().items()))
               + ". Neighbours of low-support genes are a rough guide at best.")


def table(id_: str, columns: list[tuple[str, str]], widths: list[int], **extra) -> dash_table.DataTable:
    """A table that fits the side panel at any width: fixed layout, each shown column a share of the
    panel (``widths``, percent, for the first columns), long text cut with an ellipsis (a symbol
    wraps instead: a cut one would name another gene)."""
    sized = [{"if": {"column_id": i}, "width": f"{w}%", "minWidth": f"{w}%", "maxWidth": f"{w}%"}
             for (_, i), w in zip(columns, widths)]
    css = [{"selector": "table", "rule": "table-layout: fixed; width: 100% !important"}, WHOLE_SYMBOLS,
           *extra.pop("css", [])]
    return dash_table.DataTable(id=id_, data=[], columns=column_specs(columns),
                                **{**TABLE_STYLE, "style_cell_conditional": sized, "css": css, **extra})


def column_specs(columns: list[tuple[str, str]]) -> list[dict]:
    """A DataTable's columns from (header, id) pairs, numbers formatted by :data:`FORMATS`."""
    return [{"name": n, "id": i, **({"type": "numeric", "format": FORMATS[i]} if i in FORMATS else {})}
            for n, i in columns]
