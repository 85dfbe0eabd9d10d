"""What a side-panel tab is: a label, the value of the tab control that selects it, a layout, its
callbacks and what it reads from and writes to the URL. :mod:`gene2vec_dash.panels` lists the
tabs of the page; a new tab is a module that defines a :class:`Panel` and one line there."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from dash import Dash

    from gene2vec_dash.queries import MapData
    from gene2vec_dash.url import Control, Pick

Others = dict[str, "MapData"]        # the embeddings this map is compared with, by name


@dataclass(frozen=True)
class Panel:
    label: str
    tab: str                                          # the SIDE_TABS value that shows it (ids.TAB_*)
    layout: Callable[["MapData", Others], list]       # the tab's children
    register: Callable[["Dash", "MapData", Others], None] | None = None     # its callbacks, if any
    url: tuple["Control | Pick", ...] = ()            # its part of the view's state (gene2vec_dash.url)
    compared: bool = False                            # shown only when the map is compared with others
    id: str | None = None                             # the dcc.Tab's own id, where something needs it

    def shown(self, others: Others) -> bool:
        return bool(others) or not self.compared
