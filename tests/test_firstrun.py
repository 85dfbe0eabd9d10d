"""The first `python app.py` (issue 31): a progress page at once, the map when its stages are built,
the rest behind it, and the page turning into the map and then the whole map by itself."""
from __future__ import annotations

import json
import threading
import time

import pytest
from test_browser import PLOT_JS, _js, _wait
from werkzeug.serving import make_server
from werkzeug.test import Client

from gene2vec_dash import ids
from gene2vec_dash.firstrun import MAP_SKIP, FirstRun, Progress, first_run_needed, map_app, progress_page


def test_a_first_run_is_needed_without_a_bundle_or_with_only_its_map(tmp_path):
    assert first_run_needed(tmp_path / "none")
    (tmp_path / "manifest.json").write_text(json.dumps({"stages": {"embedding": {}, "layout": {}}}))
    assert first_run_needed(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"stages": {n: {} for n in ("embedding", *MAP_SKIP)}}))
    assert not first_run_needed(tmp_path)
    (tmp_path / "manifest.json").write_text("[1, 2]")              # not a manifest: build it again
    assert first_run_needed(tmp_path)


def test_the_progress_page_marks_stages_done_running_and_next():
    page = progress_page(Progress(stage="embedding", detail="epoch 3/15"))
    assert '<li class="done">coexpression</li>' in page and '<li class="running">embedding … epoch 3/15</li>' in page
    assert '<li class="next">layout</li>' in page and 'http-equiv="refresh"' in page
    failed = progress_page(Progress(stage="layout", error="building x failed: disk full"))
    assert "disk full" in failed and "refresh" not in failed                 # a failed build stops reloading


@pytest.mark.browser
@pytest.mark.slow
def test_a_first_run_shows_progress_then_the_map_then_the_whole_bundle_without_a_reload(
        dash_duo, inputs, small_cache, tmp_path):
    out = tmp_path / "demo"
    first = FirstRun(out, map_app, build_args=("--config", str(inputs["config"]), "--cache", str(small_cache)))
    page = Client(first).get("/")                         # before anything is built: the progress page
    assert page.status_code == 200 and "Building the demo map" in page.text
    server = make_server("127.0.0.1", 0, first, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dash_duo.driver.get(f"http://127.0.0.1:{server.server_port}/?gene=G010")
        assert "building" in dash_duo.driver.title
        first.start()
        dash_duo.wait_for_element(ids.MAP_PLOT, timeout=120)                # the page became the map itself
        if first.progress.step != "done":                                   # the rest may already be built
            assert "Still computing" in dash_duo.find_element(f"#{ids.BUILD_NOTE}").text
        _wait(lambda: first.progress.step == "done", timeout=180)
        _wait(lambda: not dash_duo.driver.find_elements("id", ids.BUILD_NOTE), timeout=30)   # reloaded by itself
        assert "gene=G010" in dash_duo.driver.current_url
        _wait(lambda: _js(dash_duo, f"return {PLOT_JS}.data[0].x.length;") > 0)
        assert not first_run_needed(out) and first.progress.map_seconds is not None
        assert json.loads((out / "manifest.json").read_text())["stages"].keys() >= set(MAP_SKIP)
    finally:
        server.shutdown()
        time.sleep(0.1)
