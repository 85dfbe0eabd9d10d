"""WSGI entry point for a production server, for several users at once:

    GENE2VEC_BUNDLE=bundles/demo [GENE2VEC_COMPARE=DIR:DIR] \\
        gunicorn --workers 4 --worker-class gthread --threads 4 --limit-request-line 8190 --preload \\
        --bind 127.0.0.1:8050 gene2vec_dash.wsgi:server

(``python app.py --workers 4`` runs this line.) Threaded workers: a slow client holds a thread, not
a worker; on the open internet, a buffering proxy (nginx) in front. The bundle is read once, before
the workers fork (``--preload``), so they share its arrays; every request is answered from memory."""
from __future__ import annotations

import os

from gene2vec_dash import create_app

server = create_app(os.environ.get("GENE2VEC_BUNDLE", "bundles/demo"),
                    [p for p in os.environ.get("GENE2VEC_COMPARE", "").split(os.pathsep) if p]).server
