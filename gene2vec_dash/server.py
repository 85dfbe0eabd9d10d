"""The Dash app over a bundle (and the bundles it is compared with): layout, callbacks, guards."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from dash import Dash
from dash.development.base_component import Component

from gene2vec_dash import url
from gene2vec_dash.limits import guard
from gene2vec_dash.page import page
from gene2vec_dash.panel import Panel
from gene2vec_dash.panels import PANELS
from gene2vec_dash.panels import map as map_panel
from gene2vec_dash.queries import MapData

ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(bundle: str | Path | MapData, compare: Iterable[str | Path | MapData] = (),
               panels: Sequence[Panel] = PANELS, notice: Component | None = None) -> Dash:
    """A Dash app over a bundle folder (or a loaded one), compared with the ``compare`` bundles gene by
    gene (each folder validated on load: a bad bundle raises InputError); ``panels``: the side
    panel's tabs (those that need compared embeddings only when there are some); ``notice``: a line
    under the header (what a first run is still computing)."""
    data = _loaded(bundle)
    others = named([_loaded(b) for b in compare], data.bundle.path.name)
    shown = [p for p in panels if p.shown(others)]
    app = Dash(__name__, title="gene2vec map", assets_folder=str(ASSETS), update_title=None,
               compress=_can_compress())
    app.layout = page(data, shown, others, notice)
    url.register(app, data, others, [*map_panel.URL, *(part for p in shown for part in p.url)],
                 [p.tab for p in shown])
    map_panel.register(app, data)
    for p in shown:
        if p.register is not None:
            p.register(app, data, others)
    guard(app)
    app.server.config["MAP_DATA"] = data
    return app


def _loaded(bundle: str | Path | MapData) -> MapData:
    return bundle if isinstance(bundle, MapData) else MapData.load(bundle)


def named(bundles: list[MapData], main: str) -> dict[str, MapData]:
    """Each compared bundle by its folder's name, made unique ("demo (2)") and never this map's."""
    out: dict[str, MapData] = {}
    for data in bundles:
        base = name = data.bundle.path.name
        n = 1
        while name in out or name == main:
            n += 1
            name = f"{base} ({n})"
        out[name] = data
    return out


def _can_compress() -> bool:
    try:
        import flask_compress  # noqa: F401
    except ImportError:
        return False
    return True
