"""gene2vec-dash: the gene co-expression map of one bundle, and the embedding as a library.

``create_app(bundle_path)`` builds the Dash app; it only reads the bundle (never trains).
``open_bundle(path)`` and ``import_embedding(file, out)`` (:mod:`gene2vec_dash.api`) give the
embedding to a script or notebook without importing Dash.
"""
from __future__ import annotations

from gene2vec_dash.api import GeneEmbedding, import_embedding, open_bundle

__all__ = ["GeneEmbedding", "create_app", "import_embedding", "open_bundle"]


def __getattr__(name: str):
    """``create_app`` on first use: the library never pays for importing Dash."""
    if name == "create_app":
        from gene2vec_dash.server import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
