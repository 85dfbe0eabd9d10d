"""WSGI entry point for a production server, for several users at once:

    GENE2VEC_BUNDLE=bundles/demo [GENE2VEC_COMPARE=DIR:DIR] \\
        gunicorn --workers 4 --preload --bind 0.0.0.0:8050 gene2vec_dash.wsgi:server

(``python app.py --workers 4`` runs this line.) The bundle is read once, before the workers fork
(``--preload``), so they share its arrays; every request is answered from memory."""
from __future__ import annotations

import os

from gene2vec_dash import create_app

server = create_app(os.environ.get("GENE2VEC_BUNDLE", "bundles/demo"),
                    [p for p in os.environ.get("GENE2VEC_COMPARE", "").split(os.pathsep) if p]).server
