"""The map in a real browser: what a person waits for, each beside the renderer's own floor measured
in the same page and run.

``python -m gene2vec_dash.bench_browser [--bundle DIR] [--quick] [--tries N] [--json]`` (``python -m
pipeline bench browser`` runs this in a subprocess). Headless Chromium (Selenium, as the browser tests)
loads a served bundle, then each action is started from the page's own controls (Dash's
``set_props``, a button's click, a mouse drag) and timed in the page, from the action to
the animation frame after the map or table shows its result:

- first paint: navigation start to the map's genes drawn (the first load cold, the others warm);
- recolour: gene class -> a tissue, and a tissue -> another tissue;
- search -> neighbours drawn (beside the server's own time for that request, seen from the page),
  and, on a bundle with predicted functions, the gene card's terms shown, counted from the neighbours;
- a box drag (the map's box tool, a real mouse drag) -> enrichment table shown, from the mouse's
  release; a pasted 500-gene list -> table shown.

The floor of a recolour is a bare ``Plotly.restyle`` (and ``Plotly.react``) of the same colour
arrays; of a search, a bare ``Plotly.update`` of the same overlays and view."""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from gene2vec_dash import create_app, figures, ids
from gene2vec_dash.bench import parser, report
from pipeline.bench import synthetic_bundle

PLOT = f"document.querySelector({json.dumps(ids.MAP_PLOT)})"

# Installed in the page once: fetch timing of Dash's callback requests (by the outputs they ask for),
# a wait for the frame after the map draws a state, and a wait for the DOM to show one.
PRELUDE = """
if (!window.__bench) {
    const requests = [], plain = window.fetch;
    window.fetch = function (url, options) {
        const started = performance.now(), body = options && typeof options.body === "string" ? options.body : "";
        let output = "";
        try { output = JSON.parse(body).output || ""; } catch (e) { output = ""; }
        return plain.apply(this, arguments).then(r => r.clone().text().then(() => {
            requests.push({output: output, start: started, end: performance.now()});
            return r;
        }));
    };
    const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    window.__bench = {
        requests: requests,
        gd: () => %(plot)s,
        // resolves (with the time) at the frame after a draw of the map for which test() holds
        drawn: function (test, timeout) {
            const gd = this.gd();
            return new Promise(resolve => {
                const give_up = setTimeout(() => { gd.removeListener("plotly_afterplot", check); resolve(null); },
                                           timeout);
                function check() {
                    if (!test(gd)) { return; }
                    clearTimeout(give_up);
                    gd.removeListener("plotly_afterplot", check);
                    frame().then(() => resolve(performance.now()));
                }
                gd.on("plotly_afterplot", check);
            });
        },
        // resolves at the frame after test() first holds, polled every frame
        shown: function (test, timeout) {
            const until = performance.now() + timeout;
            return new Promise(resolve => {
                (function poll() {
                    if (test()) { frame().then(() => resolve(performance.now())); }
                    else if (performance.now() > until) { resolve(null); }
                    else { requestAnimationFrame(poll); }
                })();
            });
        },
    };
}
""" % {"plot": PLOT}


def _chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--no-first-run", "--window-size=1280,800"):
        options.add_argument(flag)
    if Path("/usr/bin/chromium").exists():
        options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(120)
    return driver


def _run(driver, script: str, *args):
    """An async script: ``done`` is its callback; the prelude is installed first."""
    return driver.execute_async_script(PRELUDE + "const done = arguments[arguments.length - 1];\n" + script, *args)


def _first_paint(driver, url: str, genes: int) -> dict:
    """Navigation start to the frame after the genes' trace is drawn, and the layout's bytes."""
    driver.get(url)
    return _run(driver, """
        const until = performance.now() + 60000;
        (function poll() {
            const gd = document.querySelector(arguments_plot);
            const t = gd && gd._fullData && gd._fullData[0];
            if (t && t._length === arguments_genes && gd.querySelector("canvas")) {
                requestAnimationFrame(() => requestAnimationFrame(() => {
                    const layout = performance.getEntriesByType("resource").find(e => e.name.endsWith("_dash-layout"));
                    done({ms: performance.now(), bytes: layout ? layout.decodedBodySize : null,
                          transferred: layout ? layout.encodedBodySize : null});
                }));
            } else if (performance.now() > until) { done(null); }
            else { setTimeout(poll, 5); }
        })();""".replace("arguments_plot", json.dumps(ids.MAP_PLOT)).replace("arguments_genes", str(genes)))


def _recolour(driver, control: str, value: str) -> float | None:
    """From setting a colour control to the frame after the map draws new colours."""
    return _run(driver, """
        const gd = __bench.gd(), before = gd.data[%d].marker.color, started = performance.now();
        const drawn = __bench.drawn(g => g.data[%d].marker.color !== before, 30000);
        window.dash_clientside.set_props(arguments[0], {value: arguments[1]});
        drawn.then(t => done(t === null ? null : t - started));""" % (figures.MAP, figures.MAP), control, value)


def _restyle_floor(driver) -> dict:
    """Plotly alone recolouring the genes' trace with the arrays it shows now (a copy, so that it is
    new to plotly), by restyle and by react; the figure is left as it was."""
    return _run(driver, """
        const gd = __bench.gd(), marker = gd.data[%(map)d].marker, now = marker.color;
        const copy = now.slice ? now.slice() : Array.from(now);
        let started = performance.now();
        Plotly.restyle(gd, {"marker.color": [copy]}, [%(map)d]).then(() => requestAnimationFrame(() =>
            requestAnimationFrame(() => {
                const restyle = performance.now() - started;
                const data = gd.data.map((t, k) =>
                    k === %(map)d ? {...t, marker: {...t.marker, color: copy.slice()}} : t);
                started = performance.now();
                Plotly.react(gd, data, gd.layout).then(() => requestAnimationFrame(() => requestAnimationFrame(() => {
                    const react = performance.now() - started;
                    const back = gd.data.map((t, k) => k === %(map)d ? {...t, marker: {...marker, color: now}} : t);
                    Plotly.react(gd, back, gd.layout).then(() => done({restyle: restyle, react: react}));
                })));
            })));""" % {"map": figures.MAP})


def _search(driver, symbol: str) -> dict | None:
    """From choosing a gene to the frame after its neighbours are drawn; the server's part is the
    round trip of the request that brought them (seen from the page); and, on a bundle with predicted
    functions, to the frame after the gene card's terms are shown for that gene."""
    return _run(driver, """
        const started = performance.now(), symbol = arguments[0];
        const drawn = __bench.drawn(g => (g.data[%(sel)d].text || [])[0] === symbol
                                         && g.data[%(nb)d].x.length > 0, 30000);
        const note = document.getElementById(%(note)s);
        const terms = note ? __bench.shown(() => (note.textContent.includes(symbol + " has ")
                                                  || note.textContent.includes(symbol + "'s "))
                                                 && document.querySelector("#%(terms)s td"), 30000)
                           : Promise.resolve(null);
        window.dash_clientside.set_props(%(gene)s, {options: [symbol], value: symbol});   // as a suggestion picked
        Promise.all([drawn, terms]).then(([t, f]) => {
            if (t === null) { done(null); return; }
            const r = __bench.requests.filter(q => q.start >= started && q.output.includes("%(neigh)s.data"));
            done({ms: t - started, server: r.length ? r[r.length - 1].end - r[r.length - 1].start : null,
                  functions_ms: f === null ? null : f - started});
        });""" % {"sel": figures.SELECTED, "nb": figures.NEIGHBOURS, "gene": json.dumps(ids.GENE),
                  "neigh": ids.NEIGHBOURS, "note": json.dumps(ids.FUNCTION_NOTE), "terms": ids.FUNCTIONS}, symbol)


def _overlay_floor(driver) -> float:
    """Plotly alone drawing the overlays and view a search drew (copies of the same arrays)."""
    return _run(driver, """
        const gd = __bench.gd(), traces = [%(nb)d, %(sel)d];
        const x = traces.map(k => Array.from(gd.data[k].x)), y = traces.map(k => Array.from(gd.data[k].y));
        const view = {"xaxis.range": gd.layout.xaxis.range.slice(), "yaxis.range": gd.layout.yaxis.range.slice()};
        const started = performance.now();
        Plotly.update(gd, {x: x, y: y}, view, traces).then(() => requestAnimationFrame(() => requestAnimationFrame(
            () => done(performance.now() - started))));""" % {"nb": figures.NEIGHBOURS, "sel": figures.SELECTED})


def _clear_list(driver) -> None:
    """Clear, then wait until the map holds no selection: a selection left behind (an app whose Clear
    kept it) would make the next drag that starts inside it move it, selecting other genes."""
    _run(driver, """
        document.getElementById(%s).click();
        __bench.shown(() => !document.querySelector("#%s td"), 20000).then(() => {
            const gd = __bench.gd();
            if ((gd.layout.selections || []).length) { Plotly.relayout(gd, {selections: []}); }
            return __bench.shown(() => !(gd.layout.selections || []).length, 20000);
        }).then(done);"""
         % (json.dumps(ids.LIST_CLEAR), ids.ENRICHMENT))


def _table_after(driver, action: str, expect: str) -> float | None:
    """From ``action`` (JavaScript) to the frame after the enrichment table has rows and the list's
    summary says ``expect``."""
    return _run(driver, """
        const started = performance.now(), expect = arguments[0];
        %s
        __bench.shown(() => document.querySelector("#%s td")
                            && document.getElementById(%s).textContent.includes(expect), 60000)
            .then(t => done(t === null ? null : t - started));""" % (
        action, ids.ENRICHMENT, json.dumps(ids.LIST_SUMMARY)), expect)


def _box_select(driver, centre: str, half: int = 45) -> tuple[float | None, int | None]:
    """A real box drag around ``centre`` with the map's box tool (plotly selects and dims the other
    genes, the page sends the symbols): from the mouse's release to the table shown, and how many
    genes were selected (the time grows with them)."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    x, y = driver.execute_script("""
        const gd = __bench.gd(), t = gd._fullData[%d], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.querySelector(".nsewdrag").getBoundingClientRect(), k = t.customdata.indexOf(%s);
        return [box.left + xa.l2p(t.x[k]), box.top + ya.l2p(t.y[k])];""" % (figures.MAP, json.dumps(centre)))
    driver.execute_script("window.__released = null; document.addEventListener('mouseup', "
                          "() => { window.__released = performance.now(); }, {capture: true, once: true});")
    drag = ActionBuilder(driver)
    drag.pointer_action.move_to_location(int(x - half), int(y - half)).pointer_down()
    drag.pointer_action.move_to_location(int(x), int(y)).move_to_location(int(x + half), int(y + half))
    drag.pointer_action.pointer_up()
    drag.perform()
    return _run(driver, """
        const summary = document.getElementById(%s);
        __bench.shown(() => window.__released !== null && document.querySelector("#%s td")
                            && summary.textContent.includes("genes selected on the map"), 60000)
            .then(t => done(t === null ? [null, null] : [t - window.__released,
                                                         parseInt(summary.textContent.replace(/,/g, ""), 10)]));""" % (
        json.dumps(ids.LIST_SUMMARY), ids.ENRICHMENT))


def _paste(driver, genes: list[str]) -> float | None:
    action = """
        window.dash_clientside.set_props(%s, {value: %s});
        setTimeout(() => document.getElementById(%s).click(), 0);""" % (
        json.dumps(ids.LIST_TEXT), json.dumps(" ".join(genes)), json.dumps(ids.LIST_BUTTON))
    return _table_after(driver, action, f"{len(genes):,} genes of the list found")


def _stats(values: list[float | None]) -> dict:
    done = [v for v in values if v is not None]
    if not done:
        return {"tries": len(values), "failed": len(values)}
    return {"tries": len(values), "failed": len(values) - len(done), "median_ms": round(statistics.median(done), 1),
            "p95_ms": round(float(np.percentile(done, 95)), 1)}


def _ratio(a: dict, floor: float) -> float | None:
    return round(a["median_ms"] / floor, 2) if "median_ms" in a and floor else None


def bench_browser(bundle: Path | None = None, quick: bool = False, tries: int = 8) -> dict:
    """Every figure of the module docstring, over ``tries`` tries each, on ``bundle`` (default: a
    synthetic bundle of 25,000 genes, 3,000 with ``quick``)."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)         # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        path = bundle or synthetic_bundle(Path(tmp) / "bundle", 3000 if quick else 25000,
                                          n_sets=1000 if quick else 10000)
        started = time.perf_counter()
        app = create_app(path)
        start_s = time.perf_counter() - started
        data = app.server.config["MAP_DATA"]
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        driver = _chromium()
        try:
            paints = [_first_paint(driver, url, len(data.genes)) for _ in range(tries + 1)]
            result = _measure(driver, data, tries)
        finally:
            driver.quit()
            server.shutdown()
    warm = [p["ms"] if p else None for p in paints[1:]]
    first = next((p for p in paints if p), {})
    result = {"bundle": str(bundle) if bundle else "synthetic", "genes": len(data.genes),
              "app_start_s": round(start_s, 2),
              "first_paint": {"cold_ms": round(paints[0]["ms"], 1) if paints[0] else None, **_stats(warm)},
              "layout_bytes": first.get("bytes"), "layout_bytes_transferred": first.get("transferred"), **result}
    result["targets"] = {"recolour": "median <= 1.3x the bare restyle, <= 300 ms where the floor allows",
                         "search": "median <= server + 1.3x the bare overlay update",
                         "functions_after_neighbours_ms": "<= 300",
                         "box_selection_ms": "<= 1000", "first_paint_warm_ms": "<= 2000",
                         "layout_bytes": "<= 1.3 MB"}
    return result


def _measure(driver, data, tries: int) -> dict:
    rng = np.random.default_rng(0)
    symbols = data.genes["symbol"].to_numpy(dtype=object)
    atlas = next(iter(data.atlases.values()), None)
    out: dict = {}
    if atlas is not None:
        tissues = [atlas.tissues[k % len(atlas.tissues)] for k in range(tries + 1)]
        driver.execute_script(PRELUDE)
        _run(driver, "window.dash_clientside.set_props(%s, {value: %s}); setTimeout(done, 500);"
             % (json.dumps(ids.ATLAS), json.dumps(atlas.key)))
        to_tissue, between, floors = [], [], []
        for k in range(tries):
            to_tissue.append(_recolour(driver, ids.COLOR_MODE, "tissue"))        # class -> a tissue
            between.append(_recolour(driver, ids.TISSUE, tissues[k + 1]))     # a tissue -> another
            floors.append(_restyle_floor(driver))
            _recolour(driver, ids.COLOR_MODE, "class")
        restyle = statistics.median(f["restyle"] for f in floors)
        react = statistics.median(f["react"] for f in floors)
        a, b = _stats(to_tissue), _stats(between)
        out["recolour"] = {"class_to_tissue": {**a, "vs_restyle": _ratio(a, restyle)},
                           "tissue_to_tissue": {**b, "vs_restyle": _ratio(b, restyle)},
                           "floor_restyle_ms": round(restyle, 1), "floor_react_ms": round(react, 1)}
    genes = [str(s) for s in rng.choice(symbols, tries, replace=False)]
    searches = [_search(driver, g) for g in genes]
    floor = statistics.median(_overlay_floor(driver) for _ in range(tries))
    s = _stats([r["ms"] if r else None for r in searches])
    server = [r["server"] for r in searches if r and r["server"] is not None]
    server_ms = statistics.median(server) if server else 0.0
    out["search"] = {**s, "server_median_ms": round(server_ms, 1), "floor_update_ms": round(floor, 1),
                     "vs_server_plus_floor": round(s["median_ms"] / (server_ms + floor), 2) if "median_ms" in s
                     else None, "target_ms": round(server_ms + 1.3 * floor, 1)}
    after = [r["functions_ms"] - r["ms"] for r in searches if r and r["functions_ms"] is not None]
    if after:                                   # negative: the terms were shown before the neighbours
        out["functions_after_neighbours"] = _stats(after)
    _run(driver, "window.dash_clientside.set_props(%s, {value: %s}); __bench.shown(() => document.getElementById(%s),"
         " 20000).then(done);" % (json.dumps(ids.SIDE_TABS), json.dumps(ids.TAB_LIST), json.dumps(ids.LIST_CLEAR)))
    driver.find_element("id", ids.WHOLE_MAP).click()                      # every gene in view
    driver.find_element("css selector", f"#{ids.MAP} .modebar-btn[data-val=select]").click()
    time.sleep(1)
    boxes = []
    for g in genes:
        _clear_list(driver)
        boxes.append(_box_select(driver, g))
    selected = [n for _, n in boxes if n is not None]
    out["box_selection"] = {**_stats([ms for ms, _ in boxes]),
                            "genes_selected_median": statistics.median(selected) if selected else None}
    pasted = []
    for _ in range(tries):
        _clear_list(driver)
        pasted.append(_paste(driver, [str(s) for s in rng.choice(symbols, 500, replace=False)]))
    out["pasted_500"] = _stats(pasted)
    return out


def summary(r: dict) -> str:
    def line(name: str, s: dict, extra: str = "") -> str:
        if "median_ms" not in s:
            return f"{name}: failed ({s['failed']} of {s['tries']})"
        return (f"{name}: median {s['median_ms']} ms, p95 {s['p95_ms']} ms ({s['tries']} tries"
                + (f", {s['failed']} failed" if s["failed"] else "") + ")" + extra)

    lines = [f"{r['genes']:,} genes ({r['bundle']}); app built in {r['app_start_s']} s",
             f"first paint: cold {r['first_paint'].get('cold_ms')} ms; "
             + line("warm", r["first_paint"]).removeprefix("warm: ") + f"; layout {r['layout_bytes'] or 0:,} bytes "
             f"({r['layout_bytes_transferred'] or 0:,} transferred)"]
    if "recolour" in r:
        c = r["recolour"]
        lines += [line("recolour class -> tissue", c["class_to_tissue"], f", {c['class_to_tissue'].get('vs_restyle')}x"
                       " the bare restyle"),
                  line("recolour tissue -> tissue", c["tissue_to_tissue"],
                       f", {c['tissue_to_tissue'].get('vs_restyle')}x the bare restyle"),
                  f"floor: bare Plotly.restyle {c['floor_restyle_ms']} ms, Plotly.react {c['floor_react_ms']} ms"]
    s = r["search"]
    lines += [line("search -> neighbours drawn", s, f"; server {s['server_median_ms']} ms + bare update "
                   f"{s['floor_update_ms']} ms: {s['vs_server_plus_floor']}x their sum (target: server + 1.3x "
                   f"the update, {s['target_ms']} ms)"),
              *([line("gene card's predicted functions, after the neighbours", r["functions_after_neighbours"])]
                if "functions_after_neighbours" in r else []),
              line("box selection -> enrichment table", r["box_selection"],
                   f"; {r['box_selection'].get('genes_selected_median')} genes selected (median)"),
              line("pasted 500 genes -> enrichment table", r["pasted_500"])]
    return "\n".join([*lines, *(f"target {k}: {v}" for k, v in r["targets"].items())])


def main(argv: list[str] | None = None) -> int:
    cli = parser(__doc__)
    cli.add_argument("--bundle", type=Path, help="a built bundle (default: a synthetic one of 25,000 genes)")
    cli.add_argument("--quick", action="store_true", help="a synthetic bundle of 3,000 genes (for tests)")
    cli.add_argument("--tries", type=int, default=8, help="tries of each action (default 8)")
    args = cli.parse_args(argv)
    result = bench_browser(args.bundle, args.quick, max(1, args.tries))
    return report(result, summary(result), args.json)


if __name__ == "__main__":
    sys.exit(main())
