"""The app in a real headless Chromium (Debian's chromium + chromium-driver): what a user does."""
from __future__ import annotations

import json
import re
import shutil

import pytest
from fixtures import gene_names, with_high_support
from selenium.webdriver.common.keys import Keys

from gene2vec_dash import figures, ids

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver not installed")]

PLOT_JS = f"document.querySelector({json.dumps(ids.MAP_PLOT)})"   # the map's plotly div, in JavaScript
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


def _wait(condition, timeout: float = 10) -> None:
    import time

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _tab(dash_duo, label: str) -> None:
    dash_duo.driver.find_element("xpath", f"//*[@id='{ids.SIDE_TABS}']//*[normalize-space(text())='{label}']").click()


def _pixels(dash_duo, symbols: list[str]) -> list[tuple[float, float]]:
    """Screen positions of genes on the map, from plotly's own axes."""
    return _js(dash_duo, """
        const gd = %s;
        const t = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
        return %s.map(s => { const k = t.customdata.indexOf(s);
                             return [box.left + xa.l2p(t.x[k]), box.top + ya.l2p(t.y[k])]; });"""
               % (PLOT_JS, json.dumps([str(s) for s in symbols])))


def test_search_click_colour_pair_and_share(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)

    # search by alias: OLDNAME1 is G010's alias; the gene is selected and its neighbours listed
    _choose(dash_duo, ids.GENE, "OLDNAME1", "G010")
    dash_duo.wait_for_contains_text(f"#{ids.NEIGHBOURS}", "G0", timeout=10)
    neighbours = _table_symbols(dash_duo, ids.NEIGHBOURS)
    assert len(neighbours) == 15
    assert len(set(neighbours[:10]) & MODULE0) >= 8, neighbours      # planted module recovered

    # click a gene on the map (a neighbour's pixel, computed from plotly's axes)
    target = neighbours[1]
    _js(dash_duo, """
        const gd = %s;
        const k = gd.data[0].customdata.indexOf('%s');""" % (PLOT_JS, target) + """
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
    dash_duo.wait_for_text_to_equal(f"#{ids.GENE}-value", target, timeout=10)
    assert f"gene={target}" in dash_duo.driver.current_url
    assert set(_table_symbols(dash_duo, ids.NEIGHBOURS)[:10]) & MODULE0

    # colour by a tissue: the legend says so and every point is recoloured
    dash_duo.find_element(f"#{ids.COLOR_MODE} input[value=tissue]").click()
    dash_duo.wait_for_contains_text(f"#{ids.LEGEND}", "specificity z", timeout=10)
    bins = _js(dash_duo, f"return Array.from({PLOT_JS}.data[0].marker.color);")
    assert len(bins) > 150 and len(set(bins)) > 5 and max(bins) <= figures.Z_BINS

    # a pair: probability and cosine shown, partners of the first gene listed
    _tab(dash_duo, "Partners")
    _choose(dash_duo, ids.PAIR_B, "G01", "G012")
    dash_duo.wait_for_element(f"#{ids.PAIR_PROBABILITY}", timeout=10)
    probability = float(dash_duo.find_element(f"#{ids.PAIR_PROBABILITY}").text)
    assert 0.0 <= probability <= 1.0
    assert len(_table_symbols(dash_duo, ids.PARTNERS)) == 10
    cells = [c.text for c in dash_duo.find_elements(f"#{ids.PARTNERS} td[data-dash-column=probability]")]
    assert len(cells) == 10 and all(re.fullmatch(r"[01]\.\d{3}", c) for c in cells), cells   # 0.930, never 0.93

    # the URL holds the view: reload it and find the same state
    url = dash_duo.driver.current_url
    for part in (f"gene={target}", "color=tissue", "atlas=gtex_median_tpm", "tissue=liver", f"pair={target}%2CG012"):
        assert part in url, url
    dash_duo.driver.get(url)
    dash_duo.wait_for_element(f"#{ids.SIDE_TABS}", timeout=20)
    _tab(dash_duo, "Partners")
    dash_duo.wait_for_element(f"#{ids.PAIR_PROBABILITY}", timeout=20)
    assert float(dash_duo.find_element(f"#{ids.PAIR_PROBABILITY}").text) == pytest.approx(probability)
    dash_duo.wait_for_contains_text(f"#{ids.LEGEND}", "liver", timeout=10)
    _tab(dash_duo, "Gene")
    assert _table_symbols(dash_duo, ids.NEIGHBOURS)[0] in MODULE0
    assert dash_duo.get_logs() == [] or all("favicon" in str(e) for e in dash_duo.get_logs())


def test_unknown_gene_in_url_shows_a_message(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?gene=NOSUCHGENE&k=0&color=bogus")
    dash_duo.wait_for_contains_text(f"#{ids.GENE_MESSAGE}", "NOSUCHGENE", timeout=20)
    assert _table_symbols(dash_duo, ids.NEIGHBOURS) == []
    # a link's k out of range (it used to answer 500): the gene is shown, and the note says so
    dash_duo.driver.get(dash_duo.server_url + "/?gene=G010&k=inf")
    dash_duo.wait_for_contains_text(f"#{ids.K_MESSAGE}", "out of range", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.GENE_CARD}", "G010", timeout=10)
    _wait(lambda: len(_table_symbols(dash_duo, ids.NEIGHBOURS)) == 190)             # every other gene of 191


def test_gene_card_links_and_k(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?gene=oldname1")
    dash_duo.wait_for_contains_text(f"#{ids.GENE_MESSAGE}", "oldname1 → G010", timeout=20)    # the alias read is said
    link = dash_duo.wait_for_element(f"#{ids.GENE_CARD} a[href*='ncbi.nlm.nih.gov/gene/']", timeout=10)
    assert link.get_attribute("target") == "_blank" and link.text == "NCBI Gene"
    k = dash_duo.find_element(f"#{ids.K}")
    for typed, rows, note in (("500", 190, ""), ("9999", 190, "showing 500")):    # 191 genes on this map
        k.send_keys(Keys.CONTROL, "a")
        k.send_keys(typed, Keys.ENTER)
        _wait(lambda: len(_table_symbols(dash_duo, ids.NEIGHBOURS)) == rows)
        _wait(lambda: note in dash_duo.find_element(f"#{ids.K_MESSAGE}").text)
    assert dash_duo.find_element(f"#{ids.K}").get_attribute("value") == "500"

    # the view is centred on the gene; "Whole map" (the reset) returns to every gene
    ranges = (f"const l = {PLOT_JS}._fullLayout; "
              "return [l.xaxis.range, l.yaxis.range];")
    centred = _js(dash_duo, ranges)
    dash_duo.find_element(f"#{ids.WHOLE_MAP}").click()
    _wait(lambda: _js(dash_duo, ranges) != centred)
    whole = _js(dash_duo, ranges)
    assert whole[0][1] - whole[0][0] > centred[0][1] - centred[0][0]
    buttons = [b.get_attribute("data-title") for b in dash_duo.find_elements(f"#{ids.MAP} .modebar-btn")]
    assert "Lasso Select" in buttons and not any("Cloud" in b or "Reset" in b for b in buttons), buttons


def test_lasso_paste_and_pathway(dash_duo, app):
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    dash_duo.start_server(app)
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    names, modules = gene_names()
    xy = _pixels(dash_duo, [n for n in names[modules == 1]])
    x0, x1 = min(p[0] for p in xy) - 4, max(p[0] for p in xy) + 4
    y0, y1 = min(p[1] for p in xy) - 4, max(p[1] for p in xy) + 4
    # once the map is drawn its arrays are kept in the page, so that a redraw which changes nothing (as
    # dcc.Graph's after every selection) does not recalculate every gene: plotly keeps its calcdata
    _wait(lambda: _js(dash_duo, f"return {PLOT_JS}.data[0].x instanceof Float32Array"
                                f" && {PLOT_JS}.data[0].marker.color instanceof Uint8Array"))
    _js(dash_duo, f"window.__calc = {PLOT_JS}.calcdata;")
    dash_duo.find_element(f"#{ids.MAP} .modebar-btn[data-val=lasso]").click()
    lasso = ActionBuilder(dash_duo.driver)                     # real pointer events, viewport pixels
    lasso.pointer_action.move_to_location(int(x0), int(y0)).pointer_down()
    for x, y in ((x1, y0), (x1, y1), (x0, y1), (x0, y0)):
        lasso.pointer_action.move_to_location(int(x), int(y))
    lasso.pointer_action.pointer_up()
    lasso.perform()
    dash_duo.wait_for_contains_text(f"#{ids.LIST_SUMMARY}", "selected on the map", timeout=15)
    rows = dash_duo.find_elements(f"#{ids.ENRICHMENT} td[data-dash-column='gene set']")
    assert rows and "module" in rows[0].text.lower()
    # plotly itself marks the selection (the rest dimmed); the list overlay is for pasted lists only
    highlighted = _js(dash_duo, f"return ({PLOT_JS}.data[0].selectedpoints || []).length;")
    assert highlighted >= 10 and _js(dash_duo, f"return {PLOT_JS}._fullData[1].x.length;") == 0
    assert _js(dash_duo, f"return {PLOT_JS}.calcdata === window.__calc;"), "the selection recalculated the map"

    dash_duo.find_element(f"#{ids.LIST_TEXT}").send_keys("G006 g007, oldname1; NOSUCHGENE 7")
    dash_duo.find_element(f"#{ids.LIST_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.LIST_SUMMARY}", "not on this map (1): NOSUCHGENE", timeout=10)
    found = dash_duo.find_element(f"#{ids.LIST_SUMMARY}").text.split(" genes of the list")[0].split()[-1]
    assert found in ("3", "4"), found                                        # "7" is an Entrez id here

    dash_duo.find_element(f"#{ids.PATHWAY}").click()
    popover = "#" + dash_duo.find_element(f"#{ids.PATHWAY}").get_attribute("aria-controls").replace(":", "\\:")
    dash_duo.find_element(f"{popover} input").send_keys("module 2")
    dash_duo.wait_for_contains_text(popover, "module", timeout=10)
    dash_duo.find_elements(f"{popover} [role=option]")[0].click()
    dash_duo.wait_for_contains_text(f"#{ids.PATHWAY_SUMMARY}", "Clusteredness", timeout=10)
    shown = _js(dash_duo, f"return {PLOT_JS}._fullData[2].x.length;")
    assert shown >= 10

    # the gene set and the list (the genes found, by symbol) are in the link: a reload shows them again,
    # on the Gene list tab, the list tested anew
    url = dash_duo.driver.current_url
    assert "set=" in url and "list=" in url and "NOSUCHGENE" not in url, url
    dash_duo.driver.get(url)
    dash_duo.wait_for_element(f"#{ids.SIDE_TABS}", timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.LIST_SUMMARY}", f"{found} genes of the list found", timeout=15)
    assert "G006" in dash_duo.find_element(f"#{ids.LIST_TEXT}").get_attribute("value")
    assert dash_duo.find_elements(f"#{ids.ENRICHMENT} td[data-dash-column='gene set']")
    dash_duo.wait_for_contains_text(f"#{ids.PATHWAY_SUMMARY}", "Clusteredness", timeout=15)
    assert dash_duo.driver.current_url == url           # tested anew, the same list: the link stands


def test_low_support_caution_and_hiding(dash_duo, small_bundle, tmp_path):
    """A low-support gene's neighbours come with a caution; "hide" takes the low-support genes off
    the map (no position: not drawn, hovered or selected), and the link keeps that."""
    import pandas as pd

    from gene2vec_dash import create_app

    bundle = with_high_support(small_bundle, tmp_path)
    tiers = pd.read_parquet(bundle / "genes.parquet").set_index("symbol")["support"]
    low = tiers.isin(["low", "very low"])
    gene = tiers[low].index[0]
    dash_duo.start_server(create_app(bundle))
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene={gene}")
    dash_duo.wait_for_contains_text(f"#{ids.SUPPORT_CAUTION}", f"{gene} was placed by only", timeout=20)
    assert dash_duo.find_element(f"#{ids.SUPPORT_CAUTION} [role=alert]").is_displayed()
    assert "very low" in dash_duo.find_element(f"#{ids.GENE_CARD}").text or \
        "low:" in dash_duo.find_element(f"#{ids.GENE_CARD}").text
    positions = f"const t = {PLOT_JS}._fullData[0]; return t.customdata.map((s, k) => [s, t.x[k]]);"

    def hidden() -> set[str]:
        return {s for s, x in _js(dash_duo, positions) if x is None or x != x}

    assert hidden() == set()
    dash_duo.find_element(f"#{ids.SUPPORT_VIEW} input[value=hide]").click()
    _wait(lambda: hidden() == set(tiers[low].index))
    assert "support=hide" in dash_duo.driver.current_url
    dash_duo.driver.get(dash_duo.driver.current_url)                # a shared link hides them too
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _wait(lambda: hidden() == set(tiers[low].index), timeout=20)
    dash_duo.find_element(f"#{ids.SUPPORT_VIEW} input[value=fade]").click()
    _wait(lambda: hidden() == set())
    opacity = _js(dash_duo, f"return {PLOT_JS}._fullData[0].marker.opacity;")
    assert isinstance(opacity, list) and min(opacity) < 0.1 < max(opacity)


def test_compare_view_from_a_link(dash_duo, small_bundle, small_bundle_seed1):
    """``--compare``: a link naming the other embedding opens the Compare tab with the gene's
    neighbours in both, each with its rank in the other, and the About tab shows both builds."""
    from gene2vec_dash import create_app

    dash_duo.start_server(create_app(small_bundle, [small_bundle_seed1]))
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&k=5&compare=seed1")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_SUMMARY}", "of G010's nearest genes are the same", timeout=20)
    _wait(lambda: [len(_table_symbols(dash_duo, t)) for t in (ids.COMPARE_A, ids.COMPARE_B)] == [5, 5])
    assert dash_duo.find_element(f"#{ids.COMPARE_A}").is_displayed()
    assert "Rank in seed1" in dash_duo.find_element(f"#{ids.COMPARE_A}").text
    ranks = [c.text for c in dash_duo.find_elements(f"#{ids.COMPARE_A} td[data-dash-column=other_rank]")]
    assert all(r.isdigit() for r in ranks)
    _tab(dash_duo, "Gene")                                            # the link names a comparison shown
    _wait(lambda: "compare=" not in dash_duo.driver.current_url)
    _choose(dash_duo, ids.GENE, "G03", "G030")                        # the Compare tab follows the gene
    _tab(dash_duo, "Compare")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_SUMMARY}", "G030", timeout=10)
    _wait(lambda: "compare=seed1" in dash_duo.driver.current_url)
    _tab(dash_duo, "About")
    dash_duo.wait_for_element("table.compared", timeout=10)
    assert "seed1" in dash_duo.find_element("table.compared").text


def _inside_panel(dash_duo, table_id: str) -> list[str]:
    """The headers of a table that reach past the right edge of the side panel (cut off)."""
    return _js(dash_duo, """
        const panel = document.querySelector('.side-column > div > div:last-child').getBoundingClientRect();
        return [...document.querySelectorAll('#%s th')].filter(th => th.getBoundingClientRect().right > panel.right + 1)
            .map(th => th.textContent);""" % table_id)


def test_tables_fit_the_panel_and_the_list_box_clears(dash_duo, app):
    """At 1280x800: the side panel fills the window's height, the partners and enrichment tables show
    every column inside it, a long symbol wraps rather than being cut; Clear empties the list box as
    well as the table."""
    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&pair=G010,G011")
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    height = _js(dash_duo, "return document.querySelector('.side-column > div > div:last-child')"
                           ".getBoundingClientRect().height / window.innerHeight;")
    assert height > 0.6                                              # the panel is not squeezed by a sibling
    _tab(dash_duo, "Partners")
    _wait(lambda: len(_table_symbols(dash_duo, ids.PARTNERS)) == 10)
    assert _inside_panel(dash_duo, ids.PARTNERS) == []
    cut, lines = _js(dash_duo, f"""const td = document.querySelector('#{ids.PARTNERS} td[data-dash-column=symbol]'),
        value = td.querySelector('.dash-cell-value') || td, before = td.getBoundingClientRect().height;
        value.textContent = 'ARHGAP27P1-BPTFP1-KPNA2P3';          // a read-through symbol: wrapped, not cut
        return [td.scrollWidth > td.clientWidth + 1, td.getBoundingClientRect().height / before];""")
    assert not cut and lines > 1.5
    _tab(dash_duo, "Gene list")
    dash_duo.find_element(f"#{ids.LIST_TEXT}").send_keys("G006 G007 G008 G009 G010 G011")
    dash_duo.find_element(f"#{ids.LIST_BUTTON}").click()
    dash_duo.wait_for_element(f"#{ids.ENRICHMENT} td", timeout=10)
    assert _inside_panel(dash_duo, ids.ENRICHMENT) == []
    dash_duo.find_element(f"#{ids.LIST_CLEAR}").click()
    _wait(lambda: dash_duo.find_element(f"#{ids.LIST_TEXT}").get_attribute("value") == "")
    assert not dash_duo.find_elements(f"#{ids.ENRICHMENT} td")


def test_suggestions_never_offer_the_gene_already_shown_and_links_say_aliases(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&pair=G010,oldname1")
    dash_duo.wait_for_contains_text(f"#{ids.COLOUR_MESSAGE}", "Pair: oldname1 → G010", timeout=20)
    _tab(dash_duo, "Gene")               # a link holding a pair opens on Partners
    dash_duo.find_element(f"#{ids.GENE}").click()
    popover = "#" + dash_duo.find_element(f"#{ids.GENE}").get_attribute("aria-controls").replace(":", "\\:")
    dash_duo.find_element(f"{popover} input").send_keys("G01")
    dash_duo.wait_for_contains_text(popover, "G011", timeout=10)
    offered = [o.text.split(" ")[0] for o in dash_duo.find_elements(f"{popover} [role=option]")]
    assert offered[0] != "G010" and offered.index("G010") == len(offered) - 1   # the shown gene comes last


def _bins(dash_duo) -> list[int]:
    return _js(dash_duo, f"return Array.from({PLOT_JS}.data[{figures.MAP}].marker.color);")


def test_colours_change_in_the_browser_and_hover_labels_follow_the_first_paint(dash_duo, app):
    from gene2vec_dash.bench_browser import PRELUDE
    from pipeline.bundle import tissue_column

    data = app.server.config["MAP_DATA"]
    atlas = data.atlases["gtex_median_tpm"]
    dash_duo.start_server(app)
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _js(dash_duo, PRELUDE)               # records the outputs of every callback request from here on
    # the first paint has symbols only; the class and description of each gene arrive after it
    row = data.row["G010"]
    _wait(lambda: _js(dash_duo, f"return ({PLOT_JS}.data[0].hovertext || []).length") == len(data.genes))
    label = _js(dash_duo, f"return {PLOT_JS}.data[0].hovertext[{row}];")
    assert label.startswith(str(data.genes.at[row, "display_class"])), label
    assert str(data.genes.at[row, "description"])[:20] in label

    def expected(tissue: str) -> list[int]:
        return figures.z_bins(data.genes[tissue_column(atlas.key, tissue)], atlas.z_limit).tolist()

    # a tissue: its bins exactly as the server would bin it, the atlas' bins fetched once
    first, second = atlas.tissues[0], atlas.tissues[1]
    dash_duo.find_element(f"#{ids.COLOR_MODE} input[value=tissue]").click()
    _wait(lambda: _bins(dash_duo) == expected(first))
    _wait(lambda: any(ids.COLOURS in r["output"] for r in _js(dash_duo, "return __bench.requests;")))
    sent = len(_js(dash_duo, "return __bench.requests;"))
    # another tissue, and back to gene classes: no request brings colours or redraws the map
    _js(dash_duo, f"window.dash_clientside.set_props({json.dumps(ids.TISSUE)}, {{value: {json.dumps(second)}}});")
    _wait(lambda: _bins(dash_duo) == expected(second))
    dash_duo.wait_for_contains_text(f"#{ids.LEGEND}", second, timeout=10)
    dash_duo.find_element(f"#{ids.COLOR_MODE} input[value=class]").click()
    _wait(lambda: _bins(dash_duo) == figures.class_bins(data.genes).tolist())
    later = [r["output"] for r in _js(dash_duo, "return __bench.requests;")[sent:]]
    assert later and not [o for o in later if f"{ids.MAP}.figure" in o or ids.COLOURS in o], later


def test_the_partners_tab_marks_partners_and_the_pair_instead_of_neighbours(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.driver.get(dash_duo.server_url + "/?gene=G010")
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    dash_duo.wait_for_contains_text(f"#{ids.NEIGHBOURS}", "G0", timeout=10)

    def trace(k: int) -> dict:
        return _js(dash_duo, f"const t = {PLOT_JS}.data[{k}]; return {{visible: t.visible, x: Array.from(t.x), "
                             "text: t.text || [], customdata: t.customdata || []};")

    assert trace(figures.NEIGHBOURS)["visible"] is not False and len(trace(figures.NEIGHBOURS)["x"]) == 15
    _tab(dash_duo, "Partners")
    _choose(dash_duo, ids.PAIR_B, "G01", "G012")
    dash_duo.wait_for_contains_text(f"#{ids.PARTNERS}", "G0", timeout=10)
    _wait(lambda: trace(figures.PARTNERS)["visible"] is True and len(trace(figures.PARTNERS)["x"]) == 10)
    assert trace(figures.PARTNERS)["customdata"] == _table_symbols(dash_duo, ids.PARTNERS)
    assert trace(figures.PAIR)["text"] == ["G010", "G012"] and trace(figures.PAIR)["visible"] is True
    assert trace(figures.NEIGHBOURS)["visible"] is False
    _tab(dash_duo, "Gene")
    _wait(lambda: trace(figures.NEIGHBOURS)["visible"] is True)
    assert trace(figures.PARTNERS)["visible"] is False and trace(figures.PAIR)["visible"] is False
