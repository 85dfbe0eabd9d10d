"""WSGI entry point for a production server, for several users at once:

    GENE2VEC_BUNDLE=bundles/demo [GENE2VEC_COMPARE=DIR:DIR] \\
        gunicorn --workers 4 --worker-class gthread --threads 2 --worker-connections 2 --keep-alive 0 \\
        --limit-request-line 8190 --preload --bind 127.0.0.1:8050 gene2vec_dash.wsgi:server

(``python app.py --workers 4`` runs this line.) The bundle is read once, before the workers fork
(``--preload``), so they share its arrays; every request is answered from memory.

Threaded workers, each thread reading one request's body whole before the request queues for its
worker's app (:class:`BodyFirst`): a client that sends its body a byte a second holds a thread, not
the worker (sync workers froze until their 30 s timeout), while requests are still computed one at a
time per worker, as sync workers do (threads sharing the GIL stretched each other's p95).
On the open internet, a buffering proxy (nginx) in front."""
from __future__ import annotations

import io
import os
import threading
from typing import Callable, Iterable

from gene2vec_dash import create_app
from gene2vec_dash.limits import MAX_BODY


class BodyFirst:
    """WSGI middleware: the body read (up to the cap) outside the lock, then the app under it."""

    def __init__(self, app: Callable):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if 0 < length <= MAX_BODY or chunked:      # over the cap: Flask answers 413 without reading it
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length if length else MAX_BODY + 1))
        with self.lock:
            return self.app(environ, start_response)


server = create_app(os.environ.get("GENE2VEC_BUNDLE", "bundles/demo"),
                    [p for p in os.environ.get("GENE2VEC_COMPARE", "").split(os.pathsep) if p]).server
server.wsgi_app = BodyFirst(server.wsgi_app)
