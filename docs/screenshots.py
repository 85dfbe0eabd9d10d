"""Make the README's screenshots from a bundle in headless Chromium (needs requirements-dev.txt and
Debian's chromium + chromium-driver): ``python docs/screenshots.py [--bundle bundles/demo]
[--compare DIR]`` (the Compare views need a second bundle; ``{compare}`` in a link is its name).

Each view is a shared link plus what a user then does (open a tab, box-select around a gene,
choose a gene set), at the two window sizes the app is checked at."""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gene2vec_dash import ids  # noqa: E402

SMALL, LARGE = (1280, 800), (1920, 1080)
VIEWS = [  # file, window, link, actions
    ("map-gene.png", LARGE, "/?gene=CDK1&k=20", []),
    ("map-gene-small.png", SMALL, "/?gene=CDK1&k=20", []),
    ("map-tissue.png", SMALL, "/?gene=HBB&k=15&color=tissue&atlas=gtex&tissue=Blood", []),
    ("map-tissue-large.png", LARGE, "/?gene=ACTN2&k=15&color=tissue&atlas=gtex&tissue=Muscle", []),
    ("map-selection.png", LARGE, "/?gene=CDK1&k=20", [("select", "CDK1")]),
    ("map-partners.png", SMALL, "/?gene=CDK1&pair=CDK1,CCNB1", [("tab", "Partners")]),
    ("map-partners-large.png", LARGE, "/?gene=HBB&pair=HBB,HBA1", [("tab", "Partners")]),
    ("pair-evidence-tp53.png", SMALL, "/?gene=TP53&pair=TP53,MDM2", [("scroll", f"#{ids.PAIR_EVIDENCE}")]),
    ("pair-evidence-cdk1-large.png", LARGE, "/?gene=CDK1&pair=CDK1,CCNB1", [("scroll", f"#{ids.PAIR_EVIDENCE}")]),
    ("gene-ins.png", SMALL, "/?gene=INS&k=15", []),
    ("network-cdk1.png", SMALL, "/?gene=CDK1&k=20", [("tab", "Network")]),
    ("network-cdk1-large.png", LARGE, "/?gene=CDK1&k=20", [("tab", "Network")]),
    ("network-hbb.png", SMALL, "/?gene=HBB&k=20&color=tissue&atlas=gtex&tissue=Blood", [("tab", "Network")]),
    ("network-hbb-large.png", LARGE, "/?gene=HBB&k=20", [("tab", "Network")]),
    ("gene-profile-hbb.png", SMALL, "/?gene=HBB&k=15&color=tissue&atlas=gtex&tissue=Blood",
     [("scroll", f"#{ids.GENE_PROFILE}")]),
    ("gene-profile-actn2-large.png", LARGE,
     "/?gene=ACTN2&k=15&color=tissue&atlas=hpa_cell&tissue=Skeletal myocytes", []),
    ("map-selection-small.png", SMALL, "/?gene=CDK1&k=20", [("select", "CDK1")]),
    ("map-pathway.png", SMALL, "/?color=class", [("tab", "Gene list"), ("pathway", "sarcomere organization")]),
    ("map-class.png", SMALL, "/?color=class", []),
    ("map-class-large.png", LARGE, "/?color=class", []),
    ("map-low-support.png", SMALL, "/?gene=POLR2MP1&k=15", []),
    ("map-support-faded.png", SMALL, "/?gene=TTN&k=15&support=fade", []),
    ("functions-cdk1.png", SMALL, "/?gene=CDK1&k=15", [("term", 3)]),
    ("functions-cdk1-large.png", LARGE, "/?gene=CDK1&k=15", [("term", 3)]),
    ("functions-c1orf112.png", SMALL, "/?gene=C1orf112&k=15", []),
    ("functions-c1orf112-large.png", LARGE, "/?gene=C1orf112&k=15", [("term", 0)]),
    ("functions-low-support.png", SMALL, "/?gene=POLR2MP1&k=15", []),
    ("functions-alb.png", SMALL, "/?gene=ALB&k=15&color=tissue&atlas=gtex&tissue=Liver", []),
    ("functions-alb-hover-large.png", LARGE, "/?gene=ALB&k=15&color=tissue&atlas=gtex&tissue=Liver", [("hover", 5)]),
    ("functions-low-support-large.png", LARGE, "/?gene=POLR2MP1&k=15", []),
    ("candidates-dna-repair.png", SMALL, "/?gene=BRCA1&list=BRCA1,RAD51,PALB2,BRCA2,BARD1",
     [("tested", None), ("scroll", f"#{ids.CANDIDATE_SECTION}")]),
    ("candidates-dna-repair-large.png", LARGE, "/?gene=BRCA1&list=BRCA1,RAD51,PALB2,BRCA2,BARD1",
     [("tested", None), ("scroll", f"#{ids.CANDIDATE_SECTION}")]),
    ("about.png", SMALL, "/?gene=CDK1", [("tab", "About")]),
    ("about-large.png", LARGE, "/?gene=CDK1", [("tab", "About")]),
    ("about-patterns.png", SMALL, "/?gene=CDK1", [("tab", "About"), ("scroll", ".bars")]),
    ("compare.png", SMALL, "/?gene=CDK1&k=15&compare={compare}", []),
    ("compare-large.png", LARGE, "/?gene=HBB&k=15&compare={compare}", []),
    ("about-compare.png", SMALL, "/?gene=CDK1&compare={compare}", [("tab", "About"), ("scroll", "table.compared")]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "bundles" / "demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--compare", type=Path, help="a second bundle, for the Compare views")
    parser.add_argument("--only", nargs="*", help="file names of the views to make (default: all)")
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from werkzeug.serving import make_server

    from gene2vec_dash import create_app

    compared = [args.compare] if args.compare else []
    server = make_server("127.0.0.1", 0, create_app(args.bundle, compared).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        for name, (width, height), link, actions in VIEWS:
            if (args.only and name not in args.only) or ("{compare}" in link and not args.compare):
                continue
            link = link.replace("{compare}", args.compare.name if args.compare else "")
            driver.set_window_size(width, height + 200)          # the viewport itself is width x height:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            driver.get(f"http://127.0.0.1:{server.server_port}{link}")
            _wait(driver, ids.MAP_PLOT)
            time.sleep(3)
            for kind, value in actions:
                ACTIONS[kind](driver, value)
                time.sleep(2)
            time.sleep(2)                                   # let WebGL draw
            driver.save_screenshot(str(args.out / name))
            print(args.out / name)
    finally:
        driver.quit()
        server.shutdown()


def _wait(driver, selector: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline and not driver.find_elements("css selector", selector):
        time.sleep(0.3)


def _tab(driver, label: str) -> None:
    driver.find_element("xpath", f"//*[@id='{ids.SIDE_TABS}']//*[normalize-space(text())='{label}']").click()


def _select(driver, symbol: str, half: int = 45) -> None:
    """Box-select the map around a gene, as a user drags with the toolbar's box tool."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    x, y = driver.execute_script("""
        const gd = document.querySelector(%s);
        const t = gd._fullData[0], xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const box = gd.querySelector('.nsewdrag').getBoundingClientRect(), k = t.customdata.indexOf(%s);
        return [box.left + xa.l2p(t.x[k]), box.top + ya.l2p(t.y[k])];"""
        % (json.dumps(ids.MAP_PLOT), json.dumps(symbol)))
    driver.find_element("css selector", f"#{ids.MAP} .modebar-btn[data-val=select]").click()
    drag = ActionBuilder(driver)
    drag.pointer_action.move_to_location(int(x - half), int(y - half)).pointer_down()
    drag.pointer_action.move_to_location(int(x), int(y)).move_to_location(int(x + half), int(y + half))
    drag.pointer_action.pointer_up()
    drag.perform()
    _wait(driver, f"#{ids.ENRICHMENT} td", 30)


def _pathway(driver, text: str) -> None:
    dropdown = driver.find_element("css selector", f"#{ids.PATHWAY}")
    dropdown.click()
    popover = "#" + dropdown.get_attribute("aria-controls").replace(":", "\\:")
    driver.find_element("css selector", f"{popover} input").send_keys(text)
    time.sleep(2)
    driver.find_elements("css selector", f"{popover} [role=option]")[0].click()
    _wait(driver, f"#{ids.PATHWAY_CLUSTEREDNESS}", 30)


def _term(driver, row: int) -> None:
    """Click the gene's ``row``-th predicted term: its genes are outlined on the map."""
    _wait(driver, f"#{ids.FUNCTIONS} td[data-dash-column=term]", 30)
    driver.find_elements("css selector", f"#{ids.FUNCTIONS} td[data-dash-column=term]")[row].click()
    time.sleep(2)
    _scroll(driver, f"#{ids.FUNCTION_TERM}")
    driver.find_element("css selector", "header h1").click()          # the pointer off the table: no tooltip


def _hover(driver, row: int) -> None:
    """Rest the pointer on the gene's ``row``-th predicted term: its tooltip says what carries it."""
    from selenium.webdriver.common.action_chains import ActionChains

    _wait(driver, f"#{ids.FUNCTIONS} td[data-dash-column=term]", 30)
    cell = driver.find_elements("css selector", f"#{ids.FUNCTIONS} td[data-dash-column=term]")[row]
    _scroll(driver, f"#{ids.FUNCTIONS}")
    ActionChains(driver).move_to_element(cell).perform()


def _tested(driver, _: None) -> None:
    """Wait for a link's gene list to be tested (the link opens the Gene list tab with it)."""
    _wait(driver, f"#{ids.CANDIDATES} td", 30)
    driver.find_element("css selector", "header h1").click()          # the pointer off the tables: no tooltip


def _scroll(driver, selector: str) -> None:
    driver.execute_script("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", selector)


ACTIONS = {"tab": _tab, "select": _select, "pathway": _pathway, "scroll": _scroll, "term": _term, "hover": _hover,
           "tested": _tested}


if __name__ == "__main__":
    main()
