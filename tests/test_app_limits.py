"""The app's limits (issue 19): malformed callback payloads never answer 500, an over-size body is
refused with 413, nothing long is echoed whole, a link's k=inf is said and used, and two slow-query
attacks at once through gunicorn leave other users' requests fast."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from gene2vec_dash import create_app, ids, inputs
from gene2vec_dash.bench import request, request_for
from gene2vec_dash.limits import MAX_BODY

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app(small_bundle):
    return create_app(small_bundle)


def _post(app, body: object) -> tuple[int, bytes]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = app.server.test_client().post("/_dash-update-component", data=raw, content_type="application/json")
    return r.status_code, r.data


def _response(app, output, values, changed=None) -> dict:
    status, data = _post(app, request(app, output, values, changed))
    assert status == 200, (status, data[:300])
    return json.loads(data)["response"]


def _nested(depth: int) -> object:
    value: object = "G010"
    for k in range(depth):
        value = [value] if k % 2 else {"a": value}
    return value


# (what is attacked, the callback's output, other values it needs, what fired it)
TARGETS = {
    "link": ((ids.URL, "search"), (ids.URL, "search"), {}, None),
    "gene control": ((ids.GENE, "value"), (ids.URL, "search"), {(ids.K, "value"): 15}, [(ids.GENE, "value")]),
    "k": ((ids.K, "value"), (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): "G010"}, None),
    "map click": ((ids.MAP, "clickData"), (ids.URL, "search"), {}, None),
    "table click": ((ids.NEIGHBOURS, "active_cell"), (ids.URL, "search"),
                    {(ids.NEIGHBOURS, "data"): [{"symbol": "G011"}]}, [(ids.NEIGHBOURS, "active_cell")]),
    "gene search": ((ids.GENE, "search_value"), (ids.GENE, "options"), {}, None),
    "map selection": ((ids.MAP_SELECTION, "data"), (ids.LIST_GENES, "data"), {}, None),
    "pasted list": ((ids.LIST_TEXT, "value"), (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1},
                    [(ids.LIST_BUTTON, "n_clicks")]),
    "gene-set search": ((ids.PATHWAY, "search_value"), (ids.PATHWAY, "options"), {}, None),
}
# the categories of malformed values (a huge string under the body cap: over it is a 413)
VALUES = {"null": None, "wrong type": {"points": {"row": [1, 2]}}, "1.5 MB string": "A" * 1_500_000,
          "100k-gene list": ["G010"] * 100_000, "NaN": float("nan"), "Infinity": float("inf"),
          "deep nesting": _nested(400)}


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("target", TARGETS)
def test_malformed_values_never_answer_500(app, target, value):
    prop, output, others, changed = TARGETS[target]
    status, data = _post(app, request(app, output, {**others, prop: VALUES[value]}, changed))
    assert status in (200, 204), (status, data[:300])
    assert len(data) < 200_000                                        # nothing sent is echoed back whole


@pytest.mark.parametrize("body", [b"x" * (100 * 1024 * 1024), json.dumps({"output": "A" * 5_000_000}).encode()],
                         ids=["100 MB", "5 MB string"])
def test_an_over_size_body_is_refused_with_413(app, body):
    assert _post(app, body)[0] == 413


def test_plotly_selection_points_never_reach_the_server(app):
    """100k selected points as plotly describes them (~200 bytes each): over the cap; the page itself
    sends only the selected symbols (the clientside callback), 50,000 of which fit."""
    points = [{"curveNumber": 0, "pointNumber": k, "x": 1.5, "y": -2.5, "customdata": f"G{k:05d}",
               "hovertext": "G00001 · protein-coding<br>synthetic gene", "marker.color": "#a9bccb"}
              for k in range(100_000)]
    assert _post(app, request(app, (ids.LIST_GENES, "data"), {(ids.MAP_SELECTION, "data"): points}))[0] == 413
    symbols = [f"GENE{k:06d}" for k in range(inputs.MAX_SELECTED)]
    assert len(json.dumps(request(app, (ids.LIST_GENES, "data"), {(ids.MAP_SELECTION, "data"): symbols}))) < MAX_BODY


@pytest.mark.parametrize("body", [
    b"[1, 2]", b"{", b"null", b"{}", b"[" * 100_000 + b"]" * 100_000, {"output": 7},
    {"output": "no-such.callback", "inputs": [], "state": [], "changedPropIds": []},
    {"output": f"{ids.MAP_SELECTION}.data", "inputs": [], "changedPropIds": []},      # a clientside callback
], ids=["list", "bad JSON", "null", "empty", "nested 100k deep", "output not text", "unknown output", "clientside"])
def test_a_broken_envelope_is_a_400_not_a_500(app, body):
    assert _post(app, body)[0] == 400


def test_an_envelope_unlike_the_callbacks_is_a_400(app):
    good = request(app, (ids.PARTNERS, "data"), {(ids.PAIR_A, "value"): "G010"})
    assert _post(app, good)[0] == 200
    for broken in ({**good, "inputs": "G010"}, {**good, "inputs": [None]}, {**good, "inputs": []},
                   {**good, "inputs": [{"id": ids.GENE, "property": "value", "value": "G010"}]},
                   {**good, "state": [{"id": ids.K, "property": "value"}]}, {**good, "outputs": [1]},
                   {**good, "changedPropIds": [f"{ids.GENE}.value"]}, {**good, "changedPropIds": "x"}):
        assert _post(app, broken)[0] == 400, broken


@pytest.mark.parametrize("k", ["inf", "1e400", "Infinity", "-inf"])
def test_a_link_with_an_infinite_k_shows_the_gene_and_says_k_was_out_of_range(app, k):
    view = _response(app, (ids.URL, "search"), {(ids.URL, "search"): f"?gene=G010&k={k}"})
    assert view[ids.GENE]["value"] == "G010" and view[ids.K]["value"] == (1 if k == "-inf" else inputs.MAX_K)
    assert "out of range" in view[ids.K_MESSAGE]["children"]
    rows = _response(app, (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): "G010", (ids.K, "value"): float(k)})
    assert len(rows[ids.NEIGHBOURS]["data"]) == (1 if k == "-inf" else 190)            # 191 genes on this map
    download = _response(app, (ids.DOWNLOAD, "data"), {(ids.DOWNLOAD_BUTTON, "n_clicks"): 1,
                                                       (ids.GENE, "value"): "G010", (ids.K, "value"): k})
    assert download[ids.DOWNLOAD]["data"]["filename"] == "G010_neighbours.csv"


def test_what_is_said_back_is_short(app):
    view = _response(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=" + "X" * 3000})
    said = view[ids.GENE_MESSAGE]["children"]
    assert said.startswith("No gene named “XXX") and "…" in said and len(said) < 120
    view = _response(app, (ids.URL, "search"), {(ids.URL, "search"): "?gene=G010&k=" + "9" * 1_000_000})
    assert "This link could not be read (1,000,013 characters" in view[ids.COLOUR_MESSAGE]["children"]
    summary = _response(app, (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1,
                                                        (ids.LIST_TEXT, "value"): "G010 " + "Q" * 100_000})
    text = json.dumps(summary[ids.LIST_SUMMARY]["children"], ensure_ascii=False)
    assert "not on this map (1): QQQ" in text and "…" in text and len(text) < 2_000


def test_a_control_sent_a_value_of_the_wrong_type_says_it_was_ignored(app):
    view = _response(app, (ids.URL, "search"), {(ids.GENE, "value"): {"symbol": "G010"}}, [(ids.GENE, "value")])
    assert view[ids.GENE_MESSAGE]["children"] == "an object is not a gene name: ignored."
    view = _response(app, (ids.URL, "search"), {(ids.ATLAS, "value"): ["gtex"], (ids.COLOR_MODE, "value"): "tissue"},
                     [(ids.ATLAS, "value")])
    assert view[ids.COLOUR_MESSAGE]["children"] == "a list is not an atlas of this map: ignored."
    view = _response(app, (ids.URL, "search"), {(ids.K, "value"): "Infinity"}, [(ids.K, "value")])
    assert view[ids.K]["value"] == inputs.MAX_K and "out of range" in view[ids.K_MESSAGE]["children"]


def test_a_list_or_selection_over_its_cap_is_read_in_part_and_said(app):
    selection = ["G010", "G011"] * (inputs.MAX_SELECTED // 2) + ["G012"]
    said = json.dumps(_response(app, (ids.LIST_GENES, "data"), {(ids.MAP_SELECTION, "data"): selection}))
    assert "only the first 50,000 selected genes were read" in said
    pasted = " ".join(["G010"] * 6000)
    said = json.dumps(_response(app, (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1,
                                                                (ids.LIST_TEXT, "value"): pasted}))
    assert "only the first 5,000 names were read" in said
    long_names = " ".join(["G010" + "x" * 60] * 4000)                 # over the characters cap, under 5,000 names
    said = json.dumps(_response(app, (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1,
                                                                (ids.LIST_TEXT, "value"): long_names}))
    assert "only the first 200,000 characters were read" in said


def test_a_500_gene_pasted_list_fits_the_body_cap(app):
    names = " ".join(f"ENSG{k:011d}" for k in range(500))
    body = request(app, (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1, (ids.LIST_TEXT, "value"): names})
    assert len(json.dumps(body)) < MAX_BODY / 50 and _post(app, body)[0] == 200


def test_every_callback_answers_an_empty_request(app):
    """The renderer's first call of each callback: nothing set, nothing fired."""
    for key, spec in app.callback_map.items():
        if "callback" in spec:
            assert _post(app, request_for(app, key, {}, []))[0] in (200, 204), key


@pytest.mark.slow
def test_two_slow_queries_at_once_leave_other_requests_fast(tmp_path):
    """The issue's attack through ``python app.py --workers 2``: two concurrent 13 KB (2,000-word)
    gene-set searches, on a map of 10,000 gene sets, while another user asks for neighbours. No
    worker times out, and that user's p95 stays under 1 s."""
    from pipeline.bench import free_port, synthetic_bundle, wait_until_serving

    bundle = synthetic_bundle(tmp_path / "bundle", 2000, dims=32, n_sets=10_000)
    app = create_app(bundle)
    words = " ".join(np.random.default_rng(0).choice(["regulation", "of", "transport", "synthetic", "set"], 2000))
    attack = json.dumps(request(app, (ids.PATHWAY, "options"), {(ids.PATHWAY, "search_value"): words})).encode()
    normal = [json.dumps(request(app, (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): f"G{k:05d}"})).encode()
              for k in range(40)]
    assert len(attack) > 13_000
    port, log = free_port(), tmp_path / "gunicorn.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "app.py", "--bundle", str(bundle), "--workers", "2",
                                 "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT, stdout=err, stderr=err)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/_dash-layout", proc, 120)
        latencies, statuses = _attack(port, attack, normal)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "WORKER TIMEOUT" not in log.read_text()
    assert set(statuses) <= {200, 204} and len(latencies) == len(normal), statuses
    assert float(np.percentile(latencies, 95)) <= 1.0, statistics.quantiles(latencies, n=20)


def _attack(port: int, attack: bytes, normal: list[bytes], rounds: int = 5) -> tuple[list[float], list[int]]:
    """Two threads each sending ``attack`` ``rounds`` times, one sending ``normal`` in turn, all at
    once; the normal requests' latencies (s) and every status."""
    url = f"http://127.0.0.1:{port}/_dash-update-component"
    latencies: list[float] = []
    statuses: list[int] = []

    def send(body: bytes) -> float:
        started = time.perf_counter()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=40) as r:
            r.read()
            statuses.append(r.status)
        return time.perf_counter() - started

    threads = [threading.Thread(target=lambda: [send(attack) for _ in range(rounds)]) for _ in range(2)]
    threads.append(threading.Thread(target=lambda: latencies.extend(send(body) for body in normal)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return latencies, statuses


def test_only_a_pasted_list_is_drawn_on_the_list_overlay(app):
    """A map selection is already marked by plotly; a pasted list is drawn, and cleared only when drawn
    (every figure update redraws 25k points in the browser)."""
    def figure_of(response: dict):
        return response.get(ids.MAP, {}).get("figure")

    pasted = _response(app, (ids.LIST_GENES, "data"), {(ids.LIST_BUTTON, "n_clicks"): 1,
                                                      (ids.LIST_TEXT, "value"): "G010 G011 G012",
                                                      (ids.LIST_ON_MAP, "data"): False})
    assert pasted[ids.LIST_ON_MAP]["data"] is True and figure_of(pasted) is not None
    assert "G011" in json.dumps(figure_of(pasted))
    selected = {(ids.MAP_SELECTION, "data"): ["G010", "G013"]}
    cleared = _response(app, (ids.LIST_GENES, "data"), {**selected, (ids.LIST_ON_MAP, "data"): True})
    assert cleared[ids.LIST_ON_MAP]["data"] is False and "G011" not in json.dumps(figure_of(cleared))
    untouched = _response(app, (ids.LIST_GENES, "data"), {**selected, (ids.LIST_ON_MAP, "data"): False})
    assert figure_of(untouched) is None and untouched[ids.LIST_GENES]["data"] == ["G010", "G013"]


@pytest.fixture(scope="module")
def gunicorn(small_bundle, tmp_path_factory):
    """``python app.py --workers 2`` over the small bundle: its port and its log."""
    from pipeline.bench import free_port, wait_until_serving

    port, log = free_port(), tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--bundle", str(small_bundle), "--workers", "2",
                                 "--port", str(port)], cwd=ROOT, stdout=out, stderr=out)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/_dash-layout", proc, 120)
        yield port, log
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _slow_client(port: int, seconds: float, stop: threading.Event) -> None:
    """The issue's attack: a POST's headers, then one byte of its body a second."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            sock.sendall(b" ")
            stop.wait(1.0)


@pytest.mark.slow
def test_two_slow_clients_leave_other_requests_fast(app, gunicorn):
    """Two clients sending a body a byte a second through ``--workers 2`` (sync workers froze for 30 s
    at a time): a normal user's neighbours request keeps a p95 under 1 s, and no worker times out."""
    port, log = gunicorn
    url = f"http://127.0.0.1:{port}/_dash-update-component"
    bodies = [json.dumps(request(app, (ids.NEIGHBOURS, "data"), {(ids.GENE, "value"): f"G{k:03d}"})).encode()
              for k in range(10, 30)]
    stop = threading.Event()
    attackers = [threading.Thread(target=_slow_client, args=(port, 15, stop)) for _ in range(2)]
    for t in attackers:
        t.start()
    time.sleep(2)                                            # both attackers hold their connection
    latencies: list[float] = []
    deadline = time.monotonic() + 12
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            req = urllib.request.Request(url, data=bodies[len(latencies) % len(bodies)],
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=40) as r:
                assert r.status == 200
                r.read()
            latencies.append(time.perf_counter() - started)
    finally:
        stop.set()
        for t in attackers:
            t.join(timeout=30)
    assert len(latencies) >= 20, latencies
    assert float(np.percentile(latencies, 95)) <= 1.0, statistics.quantiles(latencies, n=20)
    assert "WORKER TIMEOUT" not in log.read_text()


@pytest.mark.slow
def test_a_long_link_reaches_the_app_through_gunicorn(app, gunicorn):
    """A link over gunicorn's default request line (4,094 bytes) opens the page, whose callback says
    the link could not be read (gunicorn answered a bare 414 before)."""
    port, _ = gunicorn
    search = "?gene=G010&set=" + "x" * 5000
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{search}", timeout=30) as r:
        assert r.status == 200 and b"_dash-renderer" in r.read()
    said = json.dumps(_response(app, (ids.URL, "search"), {(ids.URL, "search"): search}))
    assert "This link could not be read" in said


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/nope/x.js",
                                  "/_dash-component-suites/dash/../../../../etc/passwd",
                                  "/_dash-component-suites/dash/%2e%2e/%2e%2e/setup.py",
                                  "/_dash-component-suites/dash/deps/react@18.v1_2_3m1.min.js.map"])
def test_an_unregistered_script_path_is_a_404_without_a_traceback(app, path, caplog):
    r = app.server.test_client().get(path)
    assert r.status_code == 404
    assert not [rec for rec in caplog.records if rec.levelname in ("ERROR", "CRITICAL")]
