"""The first ``python app.py``: a progress page at once, the map as soon as its stages are built, the
rest behind it.

The demo bundle is built by a child process (``python -m pipeline build``) in two steps, each written
atomically by the pipeline: first without the stages that only the About tab, the partners and the
grading need (:data:`MAP_SKIP`), then whole (the cache makes the second step run only those). Until
the map is written every request gets the progress page; then the map is served, with a note that
polls :data:`STATUS_PATH` and reloads the page (its view kept in the link) when the whole bundle has
replaced it. A map bundle left by an interrupted first run is served at once and finished behind."""
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

MAP_SKIP = ("quality", "ggi_paper", "ggi_degree", "ggipnn", "ggipnn_baselines", "pairs", "tissue_patterns",
            "class_enrichment", "functions")
STATUS_PATH = "/_build_status"
_STARTED = re.compile(r"^(\w+) \.\.\.$")
_EPOCH = re.compile(r"^(\w+): (epoch \d+/\d+)")      # the embedding's (the longest stage's) own progress


@dataclass
class Progress:
    """Where the first run stands: ``step`` is map (building it), rest (the map served, the rest
    building), done or failed."""

    step: str = "map"
    stage: str | None = None
    detail: str = ""                                 # how far the running stage is (its epoch)
    started: float = field(default_factory=time.monotonic)
    map_seconds: float | None = None
    error: str | None = None

    def as_json(self) -> dict:
        return {"step": self.step, "stage": self.stage, "detail": self.detail, "map_seconds": self.map_seconds,
                "elapsed": round(time.monotonic() - self.started, 1), "error": self.error}


def first_run_needed(bundle: Path) -> bool:
    """True when there is no bundle, or only the map an unfinished first run wrote (its manifest lacks
    a stage of :data:`MAP_SKIP`); read from the manifest alone, so a normal start stays quick."""
    try:
        done = json.loads((bundle / "manifest.json").read_text()).get("stages", {})
    except (OSError, ValueError, AttributeError):
        return True
    return not set(MAP_SKIP) <= set(done)


class FirstRun:
    """A WSGI app: the progress page until ``make_app(out)`` can serve the map, then that app (made
    again over the whole bundle when it is written). ``build_args`` choose the inputs (``--demo``)."""

    def __init__(self, out: Path, make_app: Callable[[Path, bool], Callable], build_args: tuple[str, ...] = ("--demo",),
                 python: str = sys.executable) -> None:
        self.out, self.make_app, self.build_args, self.python = Path(out), make_app, build_args, python
        self.progress = Progress()
        self.app: Callable | None = None
        self.thread = threading.Thread(target=self._run, name="first-run", daemon=True)

    def start(self) -> "FirstRun":
        if (self.out / "manifest.json").exists():
            self._serve(building=True)               # a map left by an interrupted first run
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            if self.app is None:
                self._build(MAP_SKIP)
                self._serve(building=True)
            self.progress.step = "rest"
            self._build(())
            self._serve(building=False)
            self.progress.step, self.progress.stage = "done", None
        except Exception as exc:                    # the page says it; the terminal has the child's lines
            self.progress.step, self.progress.error = "failed", str(exc)
            print(f"error: {exc}", file=sys.stderr, flush=True)

    def _serve(self, building: bool) -> None:
        self.app = self.make_app(self.out, building)
        if building and self.progress.map_seconds is None:
            self.progress.map_seconds = round(time.monotonic() - self.progress.started, 1)

    def _build(self, skip: tuple[str, ...]) -> None:
        """One step in a child process, its lines passed through to the terminal and read for the stage."""
        command = [self.python, "-m", "pipeline", "build", *self.build_args, "--out", str(self.out),
                   *(["--skip", *skip] if skip else [])]
        last = ""
        with subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, bufsize=1,
                              cwd=Path(__file__).resolve().parents[1]) as child:   # where `pipeline` is
            for line in child.stderr:
                sys.stderr.write(line)
                for part in line.strip().split("\r"):
                    if found := _STARTED.match(part.strip()):
                        self.progress.stage, self.progress.detail = found.group(1), ""
                    elif (found := _EPOCH.match(part.strip())) and found.group(1) == self.progress.stage:
                        self.progress.detail = found.group(2)
                    elif part.strip():
                        last = part.strip()
        if child.returncode != 0:
            raise RuntimeError(f"building {self.out} failed: {last or f'exit code {child.returncode}'}")

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        if environ.get("PATH_INFO") == STATUS_PATH:
            return _answer(start_response, "application/json", json.dumps(self.progress.as_json()))
        if self.app is not None:
            return self.app(environ, start_response)
        return _answer(start_response, "text/html; charset=utf-8", progress_page(self.progress))


def _answer(start_response: Callable, kind: str, body: str) -> list[bytes]:
    data = body.encode()
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(data))),
                              ("Cache-Control", "no-store")])
    return [data]


def progress_page(progress: Progress) -> str:
    """The page a newcomer sees while the map is built: each stage done, running or to come, the time
    so far; it reloads itself every 2 s and becomes the map when the map is written."""
    from pipeline.stages import BUILD  # here: a normal start never needs it

    names = [s.name for s in BUILD if s.name not in MAP_SKIP]
    at = names.index(progress.stage) if progress.stage in names else 0
    doing = f" … {html.escape(progress.detail)}" if progress.detail else " …"
    rows = "".join(f'<li class="{state}">{html.escape(n)}{doing if state == "running" else ""}</li>'
                   for k, n in enumerate(names)
                   for state in ["done" if k < at else "running" if k == at else "next"])
    failed = (f'<p class="error">The build stopped: {html.escape(progress.error)}. Fix what it names and start '
              "again: finished stages are kept.</p>") if progress.error else ""
    elapsed = time.monotonic() - progress.started
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>gene2vec map: building</title>{"" if progress.error else '<meta http-equiv="refresh" content="2">'}
<style>body{{font:15px system-ui,sans-serif;margin:40px auto;max-width:640px;color:#222}}
li.done{{color:#777}} li.done::marker{{content:"✓  "}} li.running{{font-weight:600}}
li.next{{color:#999}} .error{{color:#b00}}</style></head><body>
<h1>Building the demo map</h1>
<p>The first start builds the map from the embedded expression data sets ({elapsed:.0f} s so far; about
two to three minutes on 2 cores). This page becomes the map by itself when it is ready; the pair model, the
predicted functions and the grading figures follow about five minutes later, behind the map.</p>
{failed}<ol>{rows}</ol><p>Then: {", ".join(MAP_SKIP)}.</p></body></html>"""


# the note polls the build's status and reloads the page (the URL keeps the view) once the bundle is whole
RELOAD_JS = """async function(n) {
    const status = await (await fetch('%s', {cache: 'no-store'})).json();
    if (status.step === 'done') { window.location.reload(); }
    return window.dash_clientside.no_update;
}""" % STATUS_PATH


def map_app(out: Path, building: bool) -> Callable:
    """The Dash app over ``out`` (its Flask server); while ``building``, with the note that says what is
    still computed and reloads the page when it is there."""
    from dash import Input, Output, dcc
    from dash import html as dhtml

    from gene2vec_dash import ids
    from gene2vec_dash.server import create_app

    note = dhtml.Div([
        "Still computing behind the map: the pair model (Partners tab) and the grading figures (About tab). "
        "The page reloads itself when they are ready, keeping your view.",
        dcc.Interval(id=ids.BUILD_POLL, interval=4000),
    ], id=ids.BUILD_NOTE, className="build-note", role="status") if building else None
    app = create_app(out, notice=note)
    if building:
        app.clientside_callback(RELOAD_JS, Output(ids.BUILD_NOTE, "title"), Input(ids.BUILD_POLL, "n_intervals"),
                                prevent_initial_call=True)
    return app.server
