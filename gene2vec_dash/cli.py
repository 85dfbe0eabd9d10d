"""The command lines that serve the map: ``python app.py [--bundle DIR] [--compare DIR ...]`` and the
installed ``gene2vec-dash`` (every ``python -m pipeline`` command, plus ``serve``).

With no ``--bundle`` the map is the demo bundle, built from the embedded demo compendium first if it
is not there (minutes, progress shown): ``bundles/demo`` in a checkout, the user's data folder
when installed. One user: Flask's own server. Several: ``--workers N`` serves through gunicorn
(see :mod:`gene2vec_dash.wsgi`).
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import threading
from pathlib import Path

from pipeline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def default_bundle() -> Path:
    """Where the demo bundle lives: ``bundles/demo`` beside ``app.py`` in a checkout (as the README
    says), else ``$XDG_DATA_HOME/gene2vec-dash/demo`` (an installed package has no checkout)."""
    if (ROOT / "app.py").is_file():
        return ROOT / "bundles" / "demo"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "gene2vec-dash" / "demo"


def ensure_demo_bundle(path: Path) -> Path:
    if not (path / "manifest.json").exists():
        from pipeline.cli import main as pipeline_main

        print(f"No bundle at {path}: building the demo bundle (cached stages make reruns quick) ...")
        if pipeline_main(["build", "--demo", "--out", str(path)]) != 0:
            raise InputError("building the demo bundle failed (see above)")
    return path


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bundle", type=Path, help="bundle folder (default: the demo bundle, built if missing)")
    parser.add_argument("--compare", type=Path, nargs="+", metavar="DIR", default=[],
                        help="bundles to compare with, gene by gene (the Compare tab; ?compare=NAME picks one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--workers", type=int, default=0,
                        help="serve through gunicorn with N worker processes (several users); default: Flask's server")
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")


def serve(args: argparse.Namespace) -> None:
    """Check the bundles (one line for a bad one), then serve until interrupted."""
    from gene2vec_dash.firstrun import first_run_needed
    from gene2vec_dash.queries import MapData
    from gene2vec_dash.server import create_app

    if args.bundle is None and args.workers == 0 and first_run_needed(default_bundle()):
        return serve_first_run(default_bundle(), args)
    bundle = args.bundle or ensure_demo_bundle(default_bundle())
    if args.workers > 0:
        _gunicorn(bundle, args)
    loaded = [MapData.load(path, wait=False) for path in (bundle, *args.compare)]
    threading.Thread(target=_exit_on_error, args=(loaded,), daemon=True).start()
    app = create_app(loaded[0], loaded[1:])
    for noisy in ("werkzeug", "dash.dash"):         # one start-up line (ours), no per-request lines
        logging.getLogger(noisy).setLevel(logging.WARNING)
    print(f"gene2vec map: http://{args.host}:{args.port}/ (Flask's server, for one user; --workers N for more)",
          flush=True)                                # before serving: a log sees it even if the server is killed
    import flask.cli

    flask.cli.show_server_banner = lambda *_, **__: None       # Flask's banner repeats the line above
    app.run(host=args.host, port=args.port, debug=args.debug)


def serve_first_run(out: Path, args: argparse.Namespace) -> None:
    """No demo bundle yet: a progress page at once, the map when its stages are built (see
    :mod:`gene2vec_dash.firstrun`)."""
    from werkzeug.serving import run_simple

    from gene2vec_dash.firstrun import FirstRun, map_app

    first = FirstRun(out, map_app).start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    print(f"gene2vec map: http://{args.host}:{args.port}/ (building the demo map first: the page shows its "
          "progress and becomes the map when it is ready)", flush=True)
    run_simple(args.host, args.port, first, threaded=True)


def _exit_on_error(loaded: list) -> None:
    """The server answers while the pair models and gene sets load: a bad one stops it, in one line."""
    for data in loaded:
        try:
            data.later.result()
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            os._exit(2)


def _gunicorn(bundle: Path, args: argparse.Namespace) -> None:
    """Replace this process with gunicorn over :mod:`gene2vec_dash.wsgi` (the bundles checked first)."""
    from gene2vec_dash.queries import MapData

    for path in (bundle, *args.compare):            # a bad bundle: one line here, not N tracebacks
        MapData.load(path)
    if importlib.util.find_spec("gunicorn") is None:
        raise InputError("--workers needs gunicorn: pip install -r requirements.txt")
    print(f"gene2vec map: http://{args.host}:{args.port}/ (gunicorn, {args.workers} workers)", flush=True)
    os.environ["GENE2VEC_BUNDLE"] = str(Path(bundle).resolve())
    os.environ["GENE2VEC_COMPARE"] = os.pathsep.join(str(Path(p).resolve()) for p in args.compare)
    # this interpreter's gunicorn (a venv's, even when the venv's bin is not on PATH)
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--preload",
                              "--bind", f"{args.host}:{args.port}", "--log-level", "warning", "--chdir", str(ROOT),
                              "gene2vec_dash.wsgi:server"])


def app_main(argv: list[str] | None = None) -> int:
    """``python app.py``: serve a bundle."""
    parser = argparse.ArgumentParser(prog="python app.py", description="Serve the gene co-expression map.")
    serve_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        serve(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    """``gene2vec-dash COMMAND``: build, import-embedding, export, evaluate, ... and serve."""
    from pipeline.cli import build_parser, run

    def add_serve(sub) -> None:
        p = sub.add_parser("serve", help="serve the map of a bundle in the browser (as python app.py)",
                           description="Serve the gene co-expression map at http://HOST:PORT/.")
        serve_arguments(p)
        p.set_defaults(func=serve)

    return run(build_parser("gene2vec-dash", extra=(add_serve,)), argv)
