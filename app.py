"""Serve the gene co-expression map: ``python app.py [--bundle DIR] [--host H] [--port P] [--debug]``.

With no ``--bundle`` it uses ``bundles/demo``, building it from the embedded demo compendium
first if it is not there (a few minutes, progress shown).
"""
from __future__ import annotations

import argparse
import logging
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
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        from gene2vec_dash import create_app

        app = create_app(args.bundle or ensure_demo_bundle())
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"gene2vec map: http://{args.host}:{args.port}/")
    app.run(host=args.host, port=args.port, debug=args.debug)
    return 0


if __name__ == "__main__":
    sys.exit(main())
