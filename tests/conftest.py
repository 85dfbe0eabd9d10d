from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import write_inputs  # noqa: E402


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The workplace's reference data (../shared/data); tests using it skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"reference data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def inputs(tmp_path_factory) -> dict[str, Path]:
    return write_inputs(tmp_path_factory.mktemp("inputs"))


@pytest.fixture(scope="session")
def small_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def small_bundle(inputs, small_cache, tmp_path_factory) -> Path:
    """A complete bundle built by the real pipeline from the planted-module inputs."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("bundle") / "small"
    assert main(["build", "--config", str(inputs["config"]), "--out", str(out), "--cache", str(small_cache)]) == 0
    return out


@pytest.fixture(scope="session")
def small_bundle_seed1(inputs, small_cache, small_bundle, tmp_path_factory) -> Path:
    """The same inputs built with another seed: a second embedding to compare with (same genes)."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("bundle-seed1") / "seed1"
    assert main(["build", "--config", str(inputs["config"]), "--out", str(out), "--cache", str(small_cache),
                 "--seed", "1", "--skip", "ggipnn", "ggipnn_baselines"]) == 0
    return out


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory) -> Path:
    """The real demo bundle (``build --demo``): minutes, so built once per session, without the
    paper's GGIPNN stages (3 of its 9 minutes; GGIPNN is tested on the small bundle and, with this
    bundle's vectors, on the paper's own split in test_shared_data), without the tissue patterns and
    class enrichment (they run at this size in test_import_embedding_at_the_papers_size), with 2
    gensim workers, a pair model that stops one epoch after its best (the demo's is its first), a map
    of 250 t-SNE iterations, not 500, and predicted functions in 5 folds, not 10 (together about 90 s
    less of CI's 20 minutes; the tests check thresholds, not bit-identity with the default build)."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("demo") / "bundle"
    assert main(["build", "--demo", "--out", str(out), "--cache", str(tmp_path_factory.mktemp("demo-cache")),
                 "--skip", "ggipnn", "ggipnn_baselines", "tissue_patterns", "class_enrichment",
                 "--set", "embedding.workers=2", "--set", "pair_model.patience=1", "--set", "layout.n_iter=250",
                 "--set", "functions.folds=5"]) == 0
    return out


def pytest_setup_options():
    """Chromium for dash_duo: headless, and quiet on this machine's closed network."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    for flag in ("--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-quic", "--window-size=1280,800"):
        options.add_argument(flag)
    return options
