"""gene2vec-dash web app: the gene co-expression map of one bundle.

``create_app(bundle_path)`` builds the Dash app; it only reads the bundle (never trains).
"""
from __future__ import annotations

from pathlib import Path

from dash import Dash

from gene2vec_dash.callbacks import register
from gene2vec_dash.layout import page
from gene2vec_dash.limits import guard
from gene2vec_dash.queries import MapData

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def create_app(bundle: str | Path | MapData) -> Dash:
    """A Dash app over a bundle folder (validated on load: a bad bundle raises InputError)."""
    data = bundle if isinstance(bundle, MapData) else MapData.load(bundle)
    app = Dash(__name__, title="gene2vec map", assets_folder=str(ASSETS), update_title=None,
               compress=_can_compress())
    app.layout = page(data)
    register(app, data)
    guard(app)
    app.server.config["MAP_DATA"] = data
    return app


def _can_compress() -> bool:
    try:
        import flask_compress  # noqa: F401
    except ImportError:
        return False
    return True
