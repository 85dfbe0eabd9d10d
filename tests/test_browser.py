"""The app in a real headless Chromium (Debian's chromium + chromium-driver): what a user does."""
from __future__ import annotations

import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver not installed")]

MODULE0 = {"MIR21", "LOC100", "SNORD3A", "C1orf50", "PSG1P", "XIST", *(f"G{k:03d}" for k in range(6, 20))}


@pytest.fixture
def app(small_bundle):
    from gene2vec_dash import create_app

    return create_app(small_bundle)


def _choose(dash_duo, dropdown_id: str, text: str, option: str) -> None:
    """Open a searchable dropdown (Dash 4: a popover), type, and pick the option ``option``."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    popover = "#" + dash_duo.find_element(f"#{dropdown_id}").get_attribute("aria-controls").replace(":", "\\:")
    dash_duo.find_element(f"{popover} input").send_keys(text)
    dash_duo.wait_for_contains_text(popover, option, timeout=10)
    for element in dash_duo.find_elements(f"{popover} [role=option]"):
        if element.text.split(" ")[0] == option:
            element.click()
            dash_duo.wait_for_text_to_equal(f"#{dropdown_id}-value", option, timeout=10)
            return
    raise AssertionError(f"option {option} not offered for {text!r}")


def _table_symbols(dash_duo, table_id: str) -> list[str]:
    cells = dash_duo.find_elements(f"#{table_id} td[data-dash-column=symbol]")
    return [c.text for c in cells]


def _js(dash_duo, script: str):
    return dash_duo.driver.execute_script(script)


def test_search_click_colour_pair_and_share(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element("#map .js-plotly-plot", timeout=20)

    # search by alias: OLDNAME1 is G010's alias; the gene is selected and its neighbours listed
    _choose(dash_duo, "gene", "OLDNAME1", "G010")
    dash_duo.wait_for_contains_text("#neighbours", "G0", timeout=10)
    neighbours = _table_symbols(dash_duo, "neighbours")
    assert len(neighbours) == 15
    assert len(set(neighbours[:10]) & MODULE0) >= 8, neighbours      # planted module recovered

    # click a gene on the map (a neighbour's pixel, computed from plotly's axes)
    target = neighbours[1]
    _js(dash_duo, """
        const gd = document.querySelector('#map .js-plotly-plot');
        const k = gd.data[0].customdata.indexOf('%s');""" % target + """
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const t = gd._fullData[0];  // decoded arrays (gd.data holds base64)
        window.__target = [box.left + xa.l2p(t.x[k]), box.top + ya.l2p(t.y[k])];
    """)
    x, y = _js(dash_duo, "return window.__target;")
    from selenium.webdriver.common.action_chains import ActionChains

    body = dash_duo.driver.find_element("tag name", "body")
    ActionChains(dash_duo.driver).move_to_element_with_offset(body, 0, 0).perform()
    _js(dash_duo, f"""
        const el = document.elementFromPoint({x}, {y});
        for (const type of ['mousemove', 'mousedown', 'mouseup', 'click']) {{
            el.dispatchEvent(new MouseEvent(type, {{clientX: {x}, clientY: {y}, bubbles: true}}));
        }}""")
    dash_duo.wait_for_text_to_equal("#gene-value", target, timeout=10)
    assert f"gene={target}" in dash_duo.driver.current_url
    assert set(_table_symbols(dash_duo, "neighbours")[:10]) & MODULE0

    # colour by a tissue: the legend says so and every point is recoloured
    dash_duo.find_element("#color-mode input[value=tissue]").click()
    dash_duo.wait_for_contains_text("#legend", "specificity z", timeout=10)
    colours = _js(dash_duo, "return document.querySelector('#map .js-plotly-plot').data[0].marker.color;")
    assert len(colours) > 150 and len(set(colours)) > 5

    # a pair: probability and cosine shown, partners of the first gene listed
    _choose(dash_duo, "pair-b", "G01", "G012")
    dash_duo.wait_for_element("#pair-probability", timeout=10)
    probability = float(dash_duo.find_element("#pair-probability").text)
    assert 0.0 <= probability <= 1.0
    assert len(_table_symbols(dash_duo, "partners")) == 10

    # the URL holds the view: reload it and find the same state
    url = dash_duo.driver.current_url
    for part in (f"gene={target}", "color=tissue", "atlas=gtex_median_tpm", "tissue=liver", f"pair={target}%2CG012"):
        assert part in url, url
    dash_duo.driver.get(url)
    dash_duo.wait_for_element("#pair-probability", timeout=20)
    assert float(dash_duo.find_element("#pair-probability").text) == pytest.approx(probability)
    dash_duo.wait_for_contains_text("#legend", "liver", timeout=10)
    assert _table_symbols(dash_duo, "neighbours")[0] in MODULE0
    assert dash_duo.get_logs() == [] or all("favicon" in str(e) for e in dash_duo.get_logs())


def test_unknown_gene_in_url_shows_a_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?gene=NOSUCHGENE&k=0&color=bogus")
    dash_duo.wait_for_contains_text("#gene-message", "NOSUCHGENE", timeout=20)
    assert _table_symbols(dash_duo, "neighbours") == []
