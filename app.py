"""Serve the gene co-expression map: ``python app.py [--bundle DIR] [--host H] [--port P] [--workers N]``.

With no ``--bundle`` it uses ``bundles/demo``, building it from the embedded demo compendium
first if it is not there (a few minutes, progress shown). One user: Flask's own server. Several:
``--workers N`` serves through gunicorn (see :mod:`gene2vec_dash.wsgi`).
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from pathlib import Path

from pipeline.errors import InputError

DEMO_BUNDLE = Path(__file__).resolve().parent / "bundles" / "demo"


def ensure_demo_bundle(path: Path = DEMO_BUNDLE) -> Path:
    if not (path / "manifest.json").exists():
        from pipeline.cli import main as pipeline_main

        print(f"No bundle at {path}: building the demo bundle (cached stages make reruns quick) ...")
        if pipeline_main(["build", "--demo", "--out", str(path)]) != 0:
            raise InputError("building the demo bundle failed (see above)")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip("`"))
    parser.add_argument("--bundle", type=Path, help="bundle folder (default: the demo bundle, built if missing)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=0,
                        help="serve through gunicorn with N worker processes (several users); default: Flask's server")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        from gene2vec_dash import create_app

        bundle = args.bundle or ensure_demo_bundle()
        if args.workers > 0:
            return _gunicorn(bundle, args)
        app = create_app(bundle)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for noisy in ("werkzeug", "dash.dash"):         # one start-up line (ours), no per-request lines
        logging.getLogger(noisy).setLevel(logging.WARNING)
    print(f"gene2vec map: http://{args.host}:{args.port}/ (Flask's server, for one user; --workers N for more)")
    import flask.cli

    flask.cli.show_server_banner = lambda *_, **__: None       # Flask's banner repeats the line above
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


def _gunicorn(bundle: Path, args: argparse.Namespace) -> int:
    """Replace this process with gunicorn over :mod:`gene2vec_dash.wsgi` (the bundle checked first)."""
    from gene2vec_dash.queries import MapData

    MapData.load(bundle)                                         # a bad bundle: one line here, not N tracebacks
    if importlib.util.find_spec("gunicorn") is None:
        raise InputError("--workers needs gunicorn: pip install -r requirements.txt")
    print(f"gene2vec map: http://{args.host}:{args.port}/ (gunicorn, {args.workers} workers)", flush=True)
    os.environ["GENE2VEC_BUNDLE"] = str(Path(bundle).resolve())
    root = str(Path(__file__).resolve().parent)
    # this interpreter's gunicorn (a venv's, even when the venv's bin is not on PATH)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--preload",
                              "--bind", f"{args.host}:{args.port}", "--log-level", "warning", "--chdir", root,
                              "gene2vec_dash.wsgi:server"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
