"""The caution above the neighbours (partners, predicted functions) of a gene that few contexts placed."""
from __future__ import annotations

from dash import html

from gene2vec_dash import queries
from gene2vec_dash.queries import MapData


def caution(data: MapData, symbol: str, what: str, rows: bool = True) -> html.Div | None:
    """A visible warning, or None for a well-supported gene; ``rows``: the list below marks its own
    low-support genes."""
    s = queries.support(data, symbol)
    if not s["low"]:
        return None
    return html.Div([html.Strong("Low support: "), f"{symbol} was placed by only {s['contexts']} co-expression "
                     f"contexts, so its {what} are {'mostly noise' if s['tier'] == 'very low' else 'a rough guide'}"
                     + ("; genes marked “low” or “very low” below are placed by as little." if rows else ".")],
                    className="caution", role="alert")
