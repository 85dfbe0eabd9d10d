"""Property-based fuzzing of the callback layer (Hypothesis): whatever JSON the values of a callback
request hold (wrong types, null, huge strings and lists, NaN and Infinity, deep nesting, near-valid
genes, cells and links), every callback of the app answers 200 or 204, or 413 when the body is over
the cap; never a 500. Deterministic (derandomize) and CI-sized (a bounded number of examples)."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gene2vec_dash import create_app
from gene2vec_dash.bench import request_for
from gene2vec_dash.limits import MAX_BODY

pytestmark = pytest.mark.slow
EXAMPLES_PER_CALLBACK = 30

genes = st.sampled_from(["G010", "oldname1", "7", "g011", "MIR21"])          # on the map, as typed or chosen
numbers = st.one_of(st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e308, -0.0, 2.5, 0, 501, 2 ** 64,
                                     "inf", "-Infinity", "NaN", "1e400", "2.5", "-5", "500", " 7 "]),
                    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-2 ** 70, max_value=2 ** 70))
scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=40),
    st.sampled_from(["", " ", "tissue", "class", "liver", "MODULE_1", "module 1", "<script>alert(1)</script>",
                     "?gene=G010&k=inf", "?gene=G010&k=1e400&color=tissue&tissue=moon&set=nope&pair=G010,NOPE",
                     "?" + "&".join(f"k{i}=v" for i in range(300))]),
)
near_valid = st.sampled_from([
    {"points": [{"customdata": "G010", "curveNumber": 0}]}, {"points": []}, {"points": [None]},
    {"points": "G010"}, {"row": 0, "column": 1}, {"row": -1}, {"row": 10 ** 30}, {"row": "0"}, {"row": True},
    [{"symbol": "G011"}], [None, 3, {"symbol": ["G010"]}], [{"symbol": "G010"}] * 600, ["G010", "G011", 5, None],
])


def _nested(depth: int, leaf: object) -> object:
    for k in range(depth):
        leaf = [leaf] if k % 2 else {"a": leaf}
    return leaf


values = st.one_of(
    genes, numbers, scalars, near_valid,
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                        max_size=4), max_leaves=12),
    st.builds(lambda n, s: s * n, st.integers(1_000, 400_000), st.sampled_from(["A", "G010 ", "é", "\u2028", "\\"])),
    st.builds(lambda n, v: [v] * n, st.integers(1_000, 120_000), st.sampled_from(["G010", 1, None, {"row": 0}])),
    st.builds(_nested, st.integers(20, 300), scalars),
)


@pytest.fixture(scope="module")
def app(small_bundle):
    return create_app(small_bundle)


def _props(spec: dict, part: str) -> list[tuple[str, str]]:
    return [(d["id"], d["property"]) for d in spec[part]]


def _fuzz(app, key: str) -> None:
    """Post ``EXAMPLES_PER_CALLBACK`` random requests of the callback ``key``; fail on any other answer
    than 200/204 (413 for an over-size body)."""
    spec = app.callback_map[key]
    props = _props(spec, "inputs") + _props(spec, "state")
    client = app.server.test_client()

    @settings(max_examples=EXAMPLES_PER_CALLBACK, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({p: values for p in props}),
           st.lists(st.sampled_from(_props(spec, "inputs")), unique=True))
    def one_request(sent: dict, changed: list) -> None:
        body = json.dumps(request_for(app, key, sent, changed)).encode()       # NaN/Infinity as JS sends them
        r = client.post("/_dash-update-component", data=body, content_type="application/json")
        expected = {413} if len(body) > MAX_BODY else {200, 204}
        assert r.status_code in expected, (key, r.status_code, r.data[:300])

    one_request()


def test_no_callback_answers_500_whatever_its_values_hold(app):
    keys = [key for key, spec in app.callback_map.items() if "callback" in spec]      # server-side callbacks
    assert len(keys) >= 14
    for key in keys:
        _fuzz(app, key)


segments = st.one_of(
    st.sampled_from(["..", ".", "%2e%2e", "%2f", "dash", "dash_table", "plotly", "deps", "dcc", "x.js", "etc", "passwd",
                     "react@18.v1_2_3m1.min.js", "dash_renderer.v4_4_1m1.min.js", "style.css", "arrays.js", "%00",
                     "..%2f..%2f", "\\", "~", "é", ""]),
    st.text(alphabet=st.characters(blacklist_characters="?#", blacklist_categories=("Cs", "Cc")), max_size=20))
routes = st.sampled_from(["/_dash-component-suites/", "/assets/", "/_favicon.ico", "/_dash-layout",
                          "/_dash-dependencies", "/_reload-hash", "/", "/_dash-update-component"])


def test_no_static_route_answers_500_or_logs_a_traceback(app, caplog):
    """GETs of the component suites, assets and Dash's other routes with any path below them
    (traversal, encoded dots, unregistered packages): never a 500, never an error in the log."""
    client = app.server.test_client()

    @settings(max_examples=300, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(routes, st.lists(segments, max_size=5))
    def one_get(route: str, parts: list) -> None:
        r = client.get(route + "/".join(parts))
        assert r.status_code < 500, (route, parts, r.status_code)

    one_get()
    assert not [rec.getMessage()[:200] for rec in caplog.records if rec.levelname in ("ERROR", "CRITICAL")]
