"""Predicted functions on the gene card and the genes that belong with a list (issue 33), in headless
Chromium on the planted-module bundle (its functions are predicted for the ``modules`` library)."""
from __future__ import annotations

import shutil

import pytest
from fixtures import gene_names
from test_browser import PLOT_JS, _js, _tab, _table_symbols, _wait
from test_function_view import predicted_in_its_module

from gene2vec_dash import figures, ids

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("chromedriver") is None, reason="chromedriver not installed")]


@pytest.fixture
def app(small_bundle):
    from gene2vec_dash import create_app

    return create_app(small_bundle)


def _outlined(dash_duo) -> int:
    return _js(dash_duo, f"return ({PLOT_JS}._fullData[{figures.PATHWAY}].x || []).length;")


def test_a_genes_predicted_functions_and_a_term_outlined_on_the_map(dash_duo, app):
    """The card lists the gene's terms (its own module among them, known), each with the neighbours that
    carry it; a click on a term outlines its genes on the map from the Gene tab and puts the set in
    the link; "Remove outline" takes it off."""
    gene, module = predicted_in_its_module(app.server.config["MAP_DATA"].bundle.path)
    dash_duo.start_server(app)
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene={gene}&k=5")
    dash_duo.wait_for_element(f"#{ids.FUNCTIONS} td[data-dash-column=term]", timeout=20)
    dash_duo.find_element(f"#{ids.FUNCTION_LIBRARY} input[value=modules]").click()      # GO BP comes first
    dash_duo.wait_for_contains_text(f"#{ids.FUNCTIONS}", f"Module {module}", timeout=10)
    rows = [r.text for r in dash_duo.find_elements(f"#{ids.FUNCTIONS} tr")[1:]]
    own = next(k for k, r in enumerate(rows) if f"Module {module}" in r)
    assert "known" in rows[own] and "%" in rows[own], rows
    assert "annotation" in dash_duo.find_element(f"#{ids.FUNCTION_NOTE}").text
    dash_duo.find_elements(f"#{ids.FUNCTIONS} td[data-dash-column=term]")[own].click()
    dash_duo.wait_for_contains_text(f"#{ids.FUNCTION_TERM}", f"Outlined in red on the map: Module {module}", timeout=10)
    assert "supported by" in dash_duo.find_element(f"#{ids.FUNCTION_TERM}").text
    _wait(lambda: _outlined(dash_duo) >= 15, timeout=10)               # the module's genes (20 planted)
    assert f"set=MODULE_{module}" in dash_duo.driver.current_url
    assert dash_duo.find_element(f"#{ids.SIDE_TABS} .tab-selected").text == "Gene"
    dash_duo.find_element(f"#{ids.FUNCTION_CLEAR}").click()
    _wait(lambda: _outlined(dash_duo) == 0, timeout=10)
    _wait(lambda: "set=" not in dash_duo.driver.current_url, timeout=10)


def test_a_pasted_list_gets_the_genes_that_belong_with_it(dash_duo, app):
    """Eight genes of a module pasted: the rest of the module comes first among the candidates, the
    list's coherence said in words; a click on a candidate makes it the gene."""
    names, modules = gene_names()
    module = [str(n) for n in names[modules == 4]]
    dash_duo.start_server(app)
    dash_duo.wait_for_element(f"#{ids.SIDE_TABS}", timeout=20)
    _tab(dash_duo, "Gene list")
    dash_duo.find_element(f"#{ids.LIST_TEXT}").send_keys(" ".join(module[:8]))
    dash_duo.find_element(f"#{ids.LIST_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.CANDIDATE_SUMMARY}", "held-out genes of the list rank above", timeout=15)
    found = _table_symbols(dash_duo, ids.CANDIDATES)
    assert len(set(found[:12]) & set(module[8:])) >= 8, found
    dash_duo.find_elements(f"#{ids.CANDIDATES} td[data-dash-column=symbol]")[0].click()
    _wait(lambda: f"gene={found[0]}" in dash_duo.driver.current_url, timeout=10)
