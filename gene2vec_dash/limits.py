"""What one request to the app may hold, checked before Dash reads it.

The body is capped (Flask's ``MAX_CONTENT_LENGTH``: 413 beyond it), and a callback request must be
the envelope the Dash renderer sends for one of this app's callbacks: its output, inputs and state
those the callback declares, in order (400 otherwise: JSON that does not parse, is nested too deeply
to parse, or names no callback). Dash itself would answer those with a 500 and a traceback. The
values inside are anyone's: :mod:`gene2vec_dash.inputs` parses them. A script path no component
registered (``/_dash-component-suites/...``, traversal attempts included) is a 404, not a 500 with a
traceback in the log per request.
"""
from __future__ import annotations

from dash import Dash
from dash.exceptions import DependencyException
from flask import abort, request

# The largest request the renderer sends: a pasted list (inputs.MAX_LIST_CHARS, up to 3 bytes a
# character) with a map selection of inputs.MAX_SELECTED symbols as JSON (~12 bytes each), or the sync
# callback with the neighbours table sent back (500 rows, ~100 KB). A body over this is no request
# the page makes (plotly's own selection data, ~200 bytes a point, never leaves the browser).
MAX_BODY = 2 * 1024 * 1024


def guard(app: Dash) -> None:
    """Cap every request body and check each callback request's envelope before Dash dispatches it;
    an unregistered component-suite path is a 404."""
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.server.register_error_handler(DependencyException, lambda _: ("Not Found: no such script", 404))
    route = app.config.routes_pathname_prefix + "_dash-update-component"

    @app.server.before_request
    def check_envelope():
        if request.path == route and request.method == "POST":
            problem = envelope_problem(_json(), app.callback_map)
            if problem:
                abort(400, f"not a callback request of this app: {problem}")


def _json() -> object:
    """The request's JSON (Flask answers 400, 413 or 415 itself for a bad, too large or non-JSON body);
    nesting too deep for Python's parser is a 400 too, not a RecursionError."""
    try:
        return request.get_json()
    except RecursionError:
        abort(400, "not a callback request of this app: nested too deeply")


def envelope_problem(body: object, callback_map: dict) -> str:
    """What makes ``body`` not a request the renderer sends for a server callback of
    ``callback_map`` ("" when nothing does)."""
    if not isinstance(body, dict):
        return "not a JSON object"
    key = body.get("output")
    spec = callback_map.get(key) if isinstance(key, str) else None
    if spec is None or "callback" not in spec:               # clientside callbacks run in the browser
        return "no such callback"
    for part in ("inputs", "state"):
        if not _same_props(body.get(part, []), spec[part]):
            return f"its {part} are not the callback's"
    if body.get("outputs") != expected_outputs(key):
        return "its outputs are not the callback's"
    fired = {f"{d['id']}.{d['property']}" for d in spec["inputs"]}
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in fired for c in changed):
        return "its changed properties are not inputs of the callback"
    return ""


def _same_props(sent: object, declared: list[dict]) -> bool:
    """Whether ``sent`` lists exactly the declared (id, property) pairs, in order, each as an object."""
    return isinstance(sent, list) and len(sent) == len(declared) and all(
        isinstance(s, dict) and s.get("id") == d["id"] and s.get("property") == d["property"]
        for s, d in zip(sent, declared))


def expected_outputs(key: str) -> dict | list[dict]:
    """The ``outputs`` the renderer sends for the callback ``key``: a list for a multi-output callback
    (its key starts with ".."), else the one output."""
    outputs = [{"id": i, "property": p} for i, p in (x.rsplit(".", 1) for x in key.strip(".").split("..."))]
    return outputs if key.startswith("..") else outputs[0]
