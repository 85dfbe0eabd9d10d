"""`pip install .` gives a working package: the console script, its demo compendium, its assets."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_the_checkout_installs_and_its_console_script_runs(tmp_path):
    """Installed into a fresh venv with --no-deps (CI downloads nothing new): the dependencies (and
    the setuptools that builds the wheel) come from this interpreter's site-packages through a .pth
    file, the package itself from the wheel; this environment's pip installs into the venv
    (``pip --python``), so the venv needs no pip of its own."""
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "bundles", "build", "*.egg-info",
                                                                "__pycache__", ".pytest_cache", "docs", "tests"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(site, "outer-dependencies.pth"), "w") as fh:
        fh.write(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                           "--no-build-isolation", "--no-index", "-q", str(source)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    script = env_dir / "bin" / "gene2vec-dash"
    help_ = run(str(script), "--help")
    assert help_.returncode == 0, help_.stderr[-2000:]
    for command in ("build", "serve", "export", "evaluate", "import-embedding"):
        assert command in help_.stdout
    for command in ("serve", "export", "build"):
        assert run(str(script), command, "--help").returncode == 0
    checked = run(str(script), "demo-data")                      # the compendium came with the package
    assert checked.returncode == 0 and "all checksums match" in checked.stdout, checked.stderr[-2000:]
    where = run(str(python), "-c", "import gene2vec_dash.cli as c, gene2vec_dash.server as s; print(c.__file__); "
                                   "print(c.default_bundle()); print((s.ASSETS / 'style.css').is_file())")
    installed, bundle, assets = where.stdout.split()
    assert installed.startswith(str(env_dir)) and not installed.startswith(str(ROOT))
    assert bundle == str(tmp_path / "data" / "gene2vec-dash" / "demo") and assets == "True"
    bad = run(str(script), "serve", "--bundle", str(tmp_path / "nothing"))
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


def test_the_app_and_the_library_share_one_version_of_every_dependency():
    """requirements.txt is the package's dependency list (pyproject reads it), so a pin changes once."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    assert project["project"]["scripts"]["gene2vec-dash"] == "gene2vec_dash.cli:main"
