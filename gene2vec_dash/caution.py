"""The caution above the neighbours (or partners) of a gene that few contexts placed."""
from __future__ import annotations

from dash import html

from gene2vec_dash import queries
from gene2vec_dash.queries import MapData


def caution(data: MapData, symbol: str, what: str) -> html.Div | None:
    """A visible warning, or None for a well-supported gene."""
    s = queries.support(data, symbol)
    if not s["low"]:
        return None
    return html.Div([html.Strong("Low support: "), f"{symbol} was placed by only {s['contexts']} co-expression "
                     f"contexts, so its {what} are {'mostly noise' if s['tier'] == 'very low' else 'a rough guide'}; "
                     "genes marked “low” or “very low” below are placed by as little."], className="caution",
                    role="alert")
