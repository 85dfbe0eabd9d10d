"""Make the README's screenshots from a bundle in headless Chromium (needs requirements-dev.txt and
Debian's chromium + chromium-driver): ``python docs/screenshots.py [--bundle bundles/demo]``."""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VIEWS = {
    "map-class.png": "/?color=class&pair=CDK1,CCNB1",
    "map-tissue.png": "/?gene=MYH7&k=15&color=tissue&tissue=heart&pair=MYH7,TNNT2",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "bundles" / "demo")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from werkzeug.serving import make_server

    from gene2vec_dash import create_app

    server = make_server("127.0.0.1", 0, create_app(args.bundle).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = Options()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,800",
                 "--disable-background-networking", "--no-first-run", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    try:
        for name, path in VIEWS.items():
            driver.get(f"http://127.0.0.1:{server.server_port}{path}")
            deadline = time.time() + 60
            while time.time() < deadline and not driver.find_elements("css selector", "#partners td"):
                time.sleep(0.5)
            time.sleep(3)                                   # let WebGL draw
            driver.save_screenshot(str(args.out / name))
            print(args.out / name)
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main()
