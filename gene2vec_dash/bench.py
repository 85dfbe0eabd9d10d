"""The app's benchmark: server time of its queries, initial layout bytes, and latency under
concurrent clients through Flask and through gunicorn, on a synthetic bundle or a built one (whose
pair answer carries the per-data-set evidence, and whose gene card draws a tissue profile).

``python -m gene2vec_dash.bench [--quick] [--bundle DIR] [--json]`` (``python -m pipeline bench app`` runs this in a
subprocess, so that the pipeline never imports the app). Requests are built from :mod:`gene2vec_dash.ids`
and the app's own ``callback_map``, so they follow the callbacks' declared inputs.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

import numpy as np
from dash import Dash

from gene2vec_dash import create_app, ids
from gene2vec_dash.limits import expected_outputs
from pipeline.bench import free_port, synthetic_bundle, wait_until_serving

Prop = tuple[str, str]          # (component id, property)

# what each timed request asks for: the output of the callback it fires
CALLS: dict[str, Prop] = {"neighbours": (ids.NEIGHBOURS, "data"), "pair": (ids.PAIR_RESULT, "children"),
                          "partners": (ids.PARTNERS, "data"), "enrichment": (ids.LIST_GENES, "data"),
                          "profile": (ids.GENE_PROFILE, "figure")}


def request(app: Dash, output: Prop, values: dict[Prop, object], changed: list[Prop] | None = None) -> dict:
    """The JSON the Dash renderer posts to ``/_dash-update-component`` to fire the callback that writes
    ``output``. Its inputs and state take their value from ``values`` (None where absent); ``changed``,
    the inputs that fired it, defaults to those of its inputs named in ``values``."""
    target = "%s.%s" % output
    key = next(k for k in app.callback_map if target in k.strip(".").split("..."))
    return request_for(app, key, values, changed)


def request_for(app: Dash, key: str, values: dict[Prop, object], changed: list[Prop] | None = None) -> dict:
    """:func:`request` for the callback ``key`` of ``app.callback_map`` (every callback has one, even
    those whose output is a duplicate, ``map.figure@...``)."""
    spec = app.callback_map[key]

    def filled(deps: list[dict]) -> list[dict]:
        return [{**d, "value": values.get((d["id"], d["property"]))} for d in deps]

    if changed is None:
        changed = [p for p in values if {"id": p[0], "property": p[1]} in spec["inputs"]]
    return {"output": key, "outputs": expected_outputs(key), "inputs": filled(spec["inputs"]),
            "state": filled(spec["state"]), "changedPropIds": ["%s.%s" % p for p in changed]}


def bench_app(quick: bool = False, bundle: Path | None = None) -> dict:
    """Server time of the app's queries (enrichment of a 500-gene list included), initial figure
    bytes, and latency under 8 concurrent clients over loopback, through Flask's threaded server and
    through gunicorn (the production server), on ``bundle`` or else a synthetic bundle of 25k genes
    (200 dims, 4 tissues, a pair model, 10,000 gene sets)."""
    n = 3000 if quick else 25000
    with tempfile.TemporaryDirectory() as tmp:
        path = bundle or synthetic_bundle(Path(tmp) / "bundle", n, n_sets=1000 if quick else 10000)
        app = create_app(path)
        client = app.server.test_client()
        symbols = app.server.config["MAP_DATA"].genes["symbol"].astype(str).to_numpy()
        body = _bodies(app, symbols)
        server_ms = {}
        for kind in CALLS:
            times = []
            for k in range(50 if kind == "enrichment" else 100):
                data = body(kind, k)
                started = time.perf_counter()
                r = client.post("/_dash-update-component", data=data, content_type="application/json")
                times.append((time.perf_counter() - started) * 1e3)
                assert r.status_code == 200, r.status_code
            server_ms[kind] = {"p50": round(statistics.median(times), 2), "p95": round(_p95(times), 2)}
        layout = client.get("/_dash-layout")
        layout_gz = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})

        from werkzeug.serving import make_server

        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        flask = _load(server.server_port, body)
        server.shutdown()
        production = _gunicorn_load(path, body)
    return {"bundle": str(bundle or "synthetic"), "genes": len(symbols),
            "gene_sets": len(app.server.config["MAP_DATA"].sets), "server_ms": server_ms,
            "initial_layout_bytes": len(layout.data), "initial_layout_bytes_gzip": len(layout_gz.data),
            "concurrent": {"flask_threaded": flask, "gunicorn": production},
            "targets": {"server_p95_ms": "<= 50 each; enrichment of 500 genes <= 300",
                        "concurrent_p95_ms": "<= 300"}}


def _bodies(app: Dash, symbols: np.ndarray) -> Callable[[str, int], bytes]:
    """``body(kind, k)``: the k-th request of a kind, over 200 random genes and 10 lists of 500 (or of
    every gene, in a smaller bundle)."""
    rng = np.random.default_rng(0)
    genes = rng.choice(symbols, 200).tolist()
    lists = [" ".join(rng.choice(symbols, min(500, len(symbols)), replace=False)) for _ in range(10)]

    def body(kind: str, k: int) -> bytes:
        values = {(ids.GENE, "value"): genes[k % 200], (ids.K, "value"): 15,
                  (ids.PAIR_A, "value"): genes[k % 200], (ids.PAIR_B, "value"): genes[(k + 7) % 200],
                  (ids.LIST_BUTTON, "n_clicks"): k + 1, (ids.LIST_TEXT, "value"): lists[k % len(lists)]}
        return json.dumps(request(app, CALLS[kind], values)).encode()

    return body


def _load(port: int, body: Callable[[str, int], bytes], clients: int = 8, each: int = 25) -> dict:
    """``clients`` threads, each sending ``each`` requests (neighbours, pair, partners in turn)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client_loop(c: int) -> None:
        for k in range(each):
            kind = ("neighbours", "pair", "partners")[(c + k) % 3]
            req = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component",
                                         data=body(kind, c * each + k), headers={"Content-Type": "application/json"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    resp.read()
                    ok = resp.status == 200
            except OSError as exc:
                ok = False
                failures.append(str(exc))
            with lock:
                latencies.append((time.perf_counter() - started) * 1e3)
                if not ok:
                    failures.append("status")

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "failures": len(failures),
            "p50_ms": round(statistics.median(latencies), 1), "p95_ms": round(_p95(latencies), 1),
            "requests_per_s": round(len(latencies) / wall, 1)}


def _gunicorn_load(bundle: Path, body: Callable[[str, int], bytes], workers: int = 2) -> dict:
    """The same load through gunicorn as ``python app.py --workers`` runs it, one worker per core."""
    from gene2vec_dash.cli import gunicorn_command

    port = free_port()
    proc = subprocess.Popen(gunicorn_command("127.0.0.1", port, workers),
                            env={**os.environ, "GENE2VEC_BUNDLE": str(bundle)})
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/_dash-layout", proc, 120)
        return {"workers": workers, **_load(port, body)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def summary(result: dict) -> str:
    """The figures a reader looks for first, one line each."""
    lines = [f"{result['bundle']}: {result['genes']:,} genes, {result['gene_sets']:,} gene sets",
             *(f"server {kind}: p50 {t['p50']} ms, p95 {t['p95']} ms" for kind, t in result["server_ms"].items()),
             f"initial layout: {result['initial_layout_bytes']:,} bytes, {result['initial_layout_bytes_gzip']:,} "
             "gzipped"]
    lines += [f"{server}: {load['clients']} clients, {load['requests']} requests, {load['failures']} failures, "
              f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, {load['requests_per_s']} requests/s"
              for server, load in result["concurrent"].items()]
    return "\n".join([*lines, *(f"target {k}: {v}" for k, v in result["targets"].items())])


def parser(doc: str) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first line, and ``--json``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--json", action="store_true", help="last line: one JSON object of figures and ratios")
    return p


def report(result: dict, text: str, as_json: bool) -> int:
    """The summary lines, then (``--json``) the whole result as one JSON line for scripts."""
    print(text)
    if as_json:
        print(json.dumps(result, default=str))
    return 0


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__)
    cli.add_argument("--quick", action="store_true", help="small sizes (for tests), not the issue's targets")
    cli.add_argument("--bundle", type=Path, help="a built bundle (default: a synthetic one of 25,000 genes)")
    args = cli.parse_args(argv)
    result = bench_app(quick=args.quick, bundle=args.bundle)
    return report(result, summary(result), args.json)


if __name__ == "__main__":
    sys.exit(main())
