"""What a newcomer met in the browser (issue 31) and the views added since, in headless Chromium."""
from __future__ import annotations

import re

import pytest
from fixtures import gene_names
from test_browser import PLOT_JS, _js, _pixels, _tab, _table_symbols, _wait

from gene2vec_dash import figures, ids

pytestmark = pytest.mark.browser


@pytest.fixture
def app(small_bundle):
    from gene2vec_dash import create_app

    return create_app(small_bundle)


def _trace(dash_duo, k: int) -> dict:
    return _js(dash_duo, f"const t = {PLOT_JS}.data[{k}]; return {{visible: t.visible, mode: t.mode, "
                         "text: t.text || [], position: t.textposition || null, y: Array.from(t.y || [])};")


def test_a_pair_link_opens_on_partners_with_one_label_a_gene_kept_apart(dash_duo, app):
    """A shared pair reopens on the Partners tab with its overlays; each gene's name is drawn once (the
    star's own label gives way to the pair's) and the two names sit on opposite sides; the same gene
    twice is said, not scored."""
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&pair=G010,G030")
    dash_duo.wait_for_element(f"#{ids.PAIR_PROBABILITY}", timeout=20)
    assert "Partners" in dash_duo.find_element(f"#{ids.SIDE_TABS} .tab-selected").text
    _wait(lambda: _trace(dash_duo, figures.PAIR)["visible"] is True)
    pair, star = _trace(dash_duo, figures.PAIR), _trace(dash_duo, figures.SELECTED)
    assert pair["text"] == ["G010", "G030"] and star["mode"] == "markers"          # not "markers+text"
    upper = 0 if pair["y"][0] >= pair["y"][1] else 1
    assert pair["position"][upper] == "top center" and pair["position"][1 - upper] == "bottom center"
    assert _trace(dash_duo, figures.NEIGHBOURS)["visible"] is False
    _tab(dash_duo, "Gene")
    _wait(lambda: _trace(dash_duo, figures.SELECTED)["mode"] == "markers+text")
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&pair=G010,G010")
    dash_duo.wait_for_contains_text(f"#{ids.PAIR_RESULT}", "G010 twice", timeout=20)
    assert not dash_duo.find_elements(f"#{ids.PAIR_PROBABILITY}")


# Installed in the page: the outputs of each callback request Dash sends from now on
COUNT_REQUESTS_JS = """window.__requests = []; const plain = window.fetch;
window.fetch = function (url, options) {
    if (String(url).includes("_dash-update-component")) {
        window.__requests.push(JSON.parse(options.body).output);
    }
    return plain.apply(this, arguments);
};"""


def _list_requests(dash_duo) -> int:
    """How many requests for the gene list's callback were sent since the last call."""
    sent = _js(dash_duo, "const r = window.__requests.splice(0); return r;")
    return sum(f"{ids.LIST_GENES}.data" in output for output in sent)


def test_clear_removes_a_map_selection_and_tables_are_not_cut(dash_duo, app):
    """After a box selection, Clear empties the table and the map's own selection (no dimming left);
    at 1280x800 no cell of the enrichment table is cut off and the set names wrap. A selection and a
    Clear each ask the server once (plotly's report that Clear removed the selection asks nothing:
    it once sent a second request and left '0 genes selected on the map')."""
    import time

    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.start_server(app)
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _js(dash_duo, COUNT_REQUESTS_JS)
    names, modules = gene_names()
    xy = _pixels(dash_duo, list(names[modules == 1]))
    x0, x1 = min(p[0] for p in xy) - 4, max(p[0] for p in xy) + 4
    y0, y1 = min(p[1] for p in xy) - 4, max(p[1] for p in xy) + 4
    dash_duo.find_element(f"#{ids.MAP} .modebar-btn[data-val=select]").click()
    drag = ActionBuilder(dash_duo.driver)
    drag.pointer_action.move_to_location(int(x0), int(y0)).pointer_down()
    drag.pointer_action.move_to_location(int(x1), int(y1)).pointer_up()
    drag.perform()
    dash_duo.wait_for_contains_text(f"#{ids.LIST_SUMMARY}", "selected on the map", timeout=15)
    assert _js(dash_duo, f"return ({PLOT_JS}.data[0].selectedpoints || []).length;") >= 10
    time.sleep(1)                                         # room for any request that would follow
    assert _list_requests(dash_duo) == 1
    cut = _js(dash_duo, f"""return [...document.querySelectorAll('#{ids.ENRICHMENT} td')]
        .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent);""")
    assert cut == []
    assert not dash_duo.find_element(f"#{ids.ENRICHMENT_DOWNLOAD_BUTTON}").get_attribute("disabled")
    dash_duo.find_element(f"#{ids.LIST_CLEAR}").click()
    _wait(lambda: not dash_duo.find_elements(f"#{ids.ENRICHMENT} td"))
    _wait(lambda: _js(dash_duo, f"const gd = {PLOT_JS}; return !(gd.data[0].selectedpoints || []).length"
                                " && !(gd.layout.selections || []).length;"))
    assert dash_duo.find_element(f"#{ids.ENRICHMENT_DOWNLOAD_BUTTON}").get_attribute("disabled")
    time.sleep(1)
    assert _list_requests(dash_duo) == 1
    assert dash_duo.find_element(f"#{ids.LIST_SUMMARY}").text == ""


def test_six_tabs_fit_on_one_line(dash_duo, small_bundle, small_bundle_seed1):
    """With a Compare tab, at 1280x800 every tab label stays on one line and the compare tables'
    "Rank in ..." header is shown whole (it wraps rather than being cut)."""
    from gene2vec_dash import create_app

    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.start_server(create_app(small_bundle, [small_bundle_seed1]))
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&k=5&compare=seed1")
    _wait(lambda: len(_table_symbols(dash_duo, ids.COMPARE_A)) == 5, timeout=20)
    heights = _js(dash_duo, f"return [...document.querySelectorAll('#{ids.SIDE_TABS} .tab')]"
                            ".map(t => [t.textContent, t.getBoundingClientRect().height]);")
    assert len(heights) == 6 and max(h for _, h in heights) < 1.5 * min(h for _, h in heights), heights
    headers = _js(dash_duo, f"""return [...document.querySelectorAll('#{ids.COMPARE_A} th')]
        .filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent);""")
    assert headers == []


def test_the_network_tab_draws_the_neighbourhood_and_a_click_makes_a_gene_the_gene(dash_duo, app):
    """The gene and its k nearest genes as a labelled graph (a star in the middle, a line to each);
    a click on a gene's node makes it the gene: the URL, the Gene tab and the graph follow; the mode
    is in the link, and the link opens the same view."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&k=8")
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _tab(dash_duo, "Network")
    cy = f"document.querySelector('#{ids.NETWORK}')._cyreg.cy"
    _wait(lambda: _js(dash_duo, f"return {cy} ? {cy}.nodes().length : 0;") == 9, timeout=20)
    labels = _js(dash_duo, f"return {cy}.nodes().map(n => n.data('label'));")
    assert labels[0] == "G010" and set(labels[1:]) <= {n for n in gene_names()[0]} - {"G010"}
    assert _js(dash_duo, f"return {cy}.nodes('.centre').map(n => n.id());") == ["G010"]
    assert _js(dash_duo, f"return {cy}.edges('.spoke').length;") == 8
    target = labels[3]

    def clicked() -> bool:
        """A real pointer click on the node where it is drawn now (the graph may still be settling
        under load: the node's position is read again before each try)."""
        x, y = _js(dash_duo, f"""const c = {cy}, box = c.container().getBoundingClientRect(),
            p = c.$id('{target}').renderedPosition(); return [box.left + p.x, box.top + p.y];""")
        click = ActionBuilder(dash_duo.driver)                # real pointer events, viewport pixels
        click.pointer_action.move_to_location(int(x), int(y)).click()
        click.perform()
        try:
            _wait(lambda: f"gene={target}" in dash_duo.driver.current_url, timeout=8)
        except AssertionError:
            return False
        return True

    assert any(clicked() for _ in range(3))
    _wait(lambda: _js(dash_duo, f"return {cy}.nodes('.centre').map(n => n.id());") == [target], timeout=15)
    assert "Network" in dash_duo.find_element(f"#{ids.SIDE_TABS} .tab-selected").text
    dash_duo.find_element(f"#{ids.NETWORK_MODE} input[value=partners]").click()     # the mode is in the link
    _wait(lambda: "network=partners" in dash_duo.driver.current_url, timeout=10)
    shared = dash_duo.driver.current_url
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    dash_duo.driver.get(shared)                                       # the link opens the same view
    _wait(lambda: "Network" in dash_duo.find_element(f"#{ids.SIDE_TABS} .tab-selected").text, timeout=20)
    _wait(lambda: dash_duo.find_element(f"#{ids.NETWORK_MODE} input[value=partners]").is_selected())
    _wait(lambda: _js(dash_duo, f"return {cy} ? {cy}.nodes('.centre').map(n => n.id()) : [];") == [target],
          timeout=20)


def test_the_gene_set_box_keeps_the_servers_order(dash_duo, app, small_bundle):
    """The dropdown shows gene sets in the order the server ranked them (not re-sorted by label, which
    put GO ids first)."""
    from gene2vec_dash.queries import MapData

    sets = MapData.load(small_bundle).sets
    expected = [str(sets.name[k]) for k in sets.find("module 1")]
    dash_duo.start_server(app)
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _tab(dash_duo, "Gene list")
    dash_duo.find_element(f"#{ids.PATHWAY}").click()
    popover = "#" + dash_duo.find_element(f"#{ids.PATHWAY}").get_attribute("aria-controls").replace(":", "\\:")
    dash_duo.find_element(f"{popover} input").send_keys("module 1")
    dash_duo.wait_for_contains_text(popover, "module", timeout=10)
    _wait(lambda: len(dash_duo.find_elements(f"{popover} [role=option]")) == len(expected))
    shown = [o.text.split(" · ")[0] for o in dash_duo.find_elements(f"{popover} [role=option]")]
    assert shown == expected and len(expected) >= 2


def test_the_gene_card_draws_the_genes_tissue_profile_highest_first(dash_duo, app):
    """The card's bars are the gene's z-scores in the shown atlas, the highest on top, as the server
    computes them; a gene no atlas scores shows no chart."""
    from gene2vec_dash.profile import tissue_profile

    data = app.server.config["MAP_DATA"]
    atlas = next(iter(data.atlases.values()))
    expected = tissue_profile(data, "G010", atlas)
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010")
    dash_duo.wait_for_contains_text(f"#{ids.GENE_CARD}", "G010", timeout=20)
    graph = f"document.getElementById('{ids.GENE_PROFILE}').querySelector('.js-plotly-plot')"
    _wait(lambda: _js(dash_duo, f"const g = {graph}; return g && g.data ? g.data[0].y.length : 0;") > 0, timeout=15)
    shown = _js(dash_duo, f"const t = {graph}.data[0]; return [Array.from(t.y), Array.from(t.x)];")
    assert shown[0][::-1] == expected["tissue"].head(len(shown[0])).tolist()      # plotly draws bottom-up
    assert shown[1][::-1] == sorted(shown[1], reverse=True)
    assert atlas.name in _js(dash_duo, f"return {graph}.layout.title.text;")


def test_a_pair_shows_each_data_sets_r_and_the_card_says_where_the_gene_is_expressed(dash_duo, app):
    """The Partners tab lists, for the pair, every data set of the compendium with the two genes' r
    there (as the bundle's evidence computes it); the gene card says where the gene is expressed."""
    from gene2vec_dash.evidence import expression_note, pair_evidence
    from gene2vec_dash.evidence_view import expression_words, pair_summary

    data = app.server.config["MAP_DATA"]
    expected = pair_evidence(data, "G010", "G012")
    assert not expected.empty                                  # the small bundle is built with evidence
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&pair=G010,G012")
    dash_duo.wait_for_element(f"#{ids.PAIR_EVIDENCE} table", timeout=20)
    cells = [row.text for row in dash_duo.find_elements(f"#{ids.PAIR_EVIDENCE} tbody tr td:last-child")]
    assert len(cells) == len(expected)
    for shown, r in zip(cells, expected.itertuples(index=False)):
        if r.a_measured and r.b_measured and r.dataset != "ARCHS4 TF lists":
            assert shown == f"r {r.r:.2f}"
    summary = pair_summary(data, "G010", "G012", expected)               # the sentence the API's note shares
    assert summary == expected.attrs["note"] or expected.attrs["note"] is None
    assert dash_duo.find_element(f"#{ids.PAIR_EVIDENCE} p.note").text == summary
    _tab(dash_duo, "Gene")
    said = expression_words(data, "G010", expression_note(data, "G010"))
    dash_duo.wait_for_contains_text(f"#{ids.GENE_CARD}", said[:30], timeout=10)


def test_hovering_a_neighbours_cosine_shows_the_r_behind_it(dash_duo, app):
    """A neighbour row's cosine, hovered, says the two genes' r in each data set that measures both
    (the numbers of the pair's own evidence)."""
    from selenium.webdriver.common.action_chains import ActionChains

    from gene2vec_dash.evidence import pair_evidence

    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&k=5")
    dash_duo.wait_for_element(f"#{ids.NEIGHBOURS} td[data-dash-column=similarity]", timeout=20)
    first = _table_symbols(dash_duo, ids.NEIGHBOURS)[0]
    cell = dash_duo.find_elements(f"#{ids.NEIGHBOURS} td[data-dash-column=similarity]")[0]
    assert re.fullmatch(r"-?\d\.\d{3}", cell.text), cell.text          # three decimals down the column
    ActionChains(dash_duo.driver).move_to_element(cell).perform()
    dash_duo.wait_for_contains_text(".dash-tooltip", f"G010 · {first}, Pearson r per data set:", timeout=10)
    found = pair_evidence(app.server.config["MAP_DATA"], "G010", first)
    best = found.loc[found["r"].idxmax()]
    assert f"{best['dataset']} {best['r']:.2f}" in dash_duo.find_element(".dash-tooltip").text


def test_a_long_symbol_is_shown_whole_among_the_neighbours_at_1280(dash_duo, small_bundle, tmp_path):
    """The #, Gene, Cosine and Support cells of the neighbours are never cut at 1280x800, an 11-letter
    symbol and 3-digit ranks included (a biologist's pass found "ASAP1-…" and "LINC02…" there, and
    the ranks from 10 read "1…")."""
    import shutil

    import pandas as pd

    from gene2vec_dash import create_app
    from gene2vec_dash.queries import MapData, neighbours

    copy = tmp_path / "bundle"
    shutil.copytree(small_bundle, copy)
    first = neighbours(MapData.load(copy), "G010", 5)["symbol"].iloc[0]
    genes = pd.read_parquet(copy / "genes.parquet")
    genes.loc[genes["symbol"] == first, "symbol"] = "SLC25A5-AS1"
    genes.to_parquet(copy / "genes.parquet", index=False)
    listed = (copy / "embedding.genes.txt").read_text().splitlines()
    (copy / "embedding.genes.txt").write_text("\n".join("SLC25A5-AS1" if g == first else g for g in listed) + "\n")
    for evidence in copy.glob("evidence_*"):          # they list the genes too: a bundle without them
        evidence.unlink()
    dash_duo.driver.set_window_size(1280, 800)
    dash_duo.start_server(create_app(copy))
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=G010&k=100")
    dash_duo.wait_for_contains_text(f"#{ids.NEIGHBOURS}", "SLC25A5-AS1", timeout=20)
    cut = _js(dash_duo, f"""return [...document.querySelectorAll('#{ids.NEIGHBOURS} td')]
        .filter(td => ['rank', 'symbol', 'similarity', 'support'].includes(td.dataset.dashColumn))
        .filter(td => td.scrollWidth > td.clientWidth + 1).map(td => td.textContent);""")
    assert cut == []

