"""Serve the gene co-expression map: ``python app.py [--bundle DIR] [--compare DIR ...] [--host H]
[--port P] [--workers N]`` (the same as ``gene2vec-dash serve``; see :mod:`gene2vec_dash.cli`)."""
import sys

from gene2vec_dash.cli import app_main

if __name__ == "__main__":
    sys.exit(app_main())
