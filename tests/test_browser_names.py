"""The names a newcomer types (issue 31, defects 1-4): Entrez ids, symbols before aliases, newer
symbols, the GTEx portal's and HPA's tissue names; in headless Chromium."""
from __future__ import annotations

import shutil
import time

import pandas as pd
import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from gene2vec_dash import ids

pytestmark = pytest.mark.browser


@pytest.fixture
def bundle(small_bundle, tmp_path):
    """The small bundle with G030 also called "G01" (an alias equal to the typed text, whose symbol
    does not begin with it) and G031 described as a "G01-like" gene."""
    copy = tmp_path / "bundle"
    shutil.copytree(small_bundle, copy)
    genes = pd.read_parquet(copy / "genes.parquet")
    genes.loc[genes["symbol"] == "G030", "aliases"] = "G01"
    genes.loc[genes["symbol"] == "G031", "description"] = "a G01-like gene"
    genes.to_parquet(copy / "genes.parquet", index=False)
    return copy


def _typed(dash_duo, dropdown_id: str, text: str, wait_for: str) -> list[str]:
    """Type into a searchable dropdown; the options' labels, in the order shown."""
    dash_duo.find_element(f"#{dropdown_id}").click()
    popover = "#" + dash_duo.find_element(f"#{dropdown_id}").get_attribute("aria-controls").replace(":", "\\:")
    dash_duo.find_element(f"{popover} input").send_keys(text)
    dash_duo.wait_for_contains_text(popover, wait_for, timeout=10)
    return [o.text for o in dash_duo.find_elements(f"{popover} [role=option]")]


def test_the_gene_box_offers_an_entrez_id_symbols_first_and_newer_symbols(dash_duo, bundle, monkeypatch):
    from gene2vec_dash import create_app, queries

    genes = pd.read_parquet(bundle / "genes.parquet")
    entrez = str(int(genes.loc[genes["symbol"] == "G012", "entrez"].iloc[0]))
    renames = pd.DataFrame({"entrez": [int(entrez)], "symbol": ["G012"], "new_symbol": ["NEWG12"]})
    monkeypatch.setattr(queries, "read_symbol_renames", lambda: (renames, {"renames_date": "2026-03-18"}))
    dash_duo.start_server(create_app(bundle))
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)

    # 1. an Entrez id offers its gene first, saying how it was found
    offered = _typed(dash_duo, ids.GENE, entrez, "G012")
    assert offered[0].startswith(f"G012 (Entrez {entrez})")
    dash_duo.find_element(f"#{ids.GENE}").click()                    # close; the box is cleared below
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)

    # 2. symbols that begin with the text, shortest first; then the alias; then the description
    offered = [o.split(" ")[0] for o in _typed(dash_duo, ids.GENE, "G01", "G031")]
    assert offered[:10] == [f"G01{k}" for k in range(10)] and offered[10:12] == ["G030", "G031"]

    # 3. a newer symbol is an alias of the map's gene; the card gives it with its table's date
    dash_duo.driver.get(f"{dash_duo.server_url}/?gene=NEWG12")
    dash_duo.wait_for_contains_text(f"#{ids.GENE_CARD}", "NEWG12 (symbol in NCBI Gene of 2026-03-18)", timeout=20)
    assert dash_duo.find_element(f"#{ids.GENE}-value").text == "G012"

    # 4. Enter on the open box (its focused option: the gene shown) keeps the gene (it used to unselect it)
    dash_duo.find_element(f"#{ids.GENE}").click()
    focused = dash_duo.driver.switch_to
    WebDriverWait(dash_duo.driver, 5).until(lambda _: focused.active_element.get_attribute("value") == "G012")
    focused.active_element.send_keys(Keys.ENTER)
    time.sleep(1.5)                                   # what Enter did (a new URL) has come back by then
    assert "gene=G012" in dash_duo.driver.current_url and dash_duo.find_element(f"#{ids.GENE}-value").text == "G012"


def test_tissues_go_by_the_gtex_portals_names(dash_duo, small_bundle):
    from gene2vec_dash import create_app

    dash_duo.start_server(create_app(small_bundle))
    # a link with the portal's name: the atlas' own tissue, nothing said against it
    dash_duo.driver.get(f"{dash_duo.server_url}/?color=tissue&tissue=Whole%20Blood")
    dash_duo.wait_for_text_to_equal(f"#{ids.TISSUE}-value", "blood", timeout=20)
    assert "No tissue" not in dash_duo.find_element(f"#{ids.COLOUR_MESSAGE}").text
    # the box: typed "Muscle - Skeletal", it offers the atlas' "muscle"
    offered = _typed(dash_duo, ids.TISSUE, "Muscle - Skeletal", "muscle")
    assert offered == ["muscle"]
