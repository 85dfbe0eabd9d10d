"""The About tab as a newcomer reads it (issue 31, defects 8 and 9): tissue bars with their gene
counts, intervals and what was left out; p@10 with its query genes and interval; in headless Chromium."""
from __future__ import annotations

import pytest
from test_browser import _tab

from gene2vec_dash import ids

pytestmark = pytest.mark.browser


def test_patterns_and_support_say_how_many_genes_stand_behind_each_figure(dash_duo, small_bundle):
    from gene2vec_dash import create_app

    dash_duo.start_server(create_app(small_bundle))
    dash_duo.wait_for_element(ids.MAP_PLOT, timeout=20)
    _tab(dash_duo, "About")
    dash_duo.wait_for_element(".patterns .bar-label", timeout=20)
    labels = [e.text for e in dash_duo.find_elements(".patterns .bar-label")]
    values = [e.text for e in dash_duo.find_elements(".patterns .bar-value")]
    # the planted bundle: liver (39 specific genes) and brain (36) pass the minimum; the rest have < 30
    assert labels == ["liver 39 genes", "brain 36 genes"] and all("× (" in v for v in values)
    left = dash_duo.find_element(".patterns-left-out").text
    assert "fewer than 30 specific genes" in left and "skin (14)" in left and "liver" not in left
    rows = {r.find_elements("css selector", "td")[0].text: r for r in dash_duo.find_elements("table.tiers tr")[1:]}
    low = rows["low"].find_elements("css selector", "td")[-1].text
    assert low.startswith("1.000 (0.099)") and "84 genes" in low and "–" in low      # p@10, interval, queries
    assert "too few" in rows["high"].find_elements("css selector", "td")[-1].text    # 0 query genes
