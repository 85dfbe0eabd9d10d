"""The build as declared stages: keys follow declarations exactly, a new stage needs only the
registry, and --skip drops exactly what it names."""
import json
import shutil
from dataclasses import fields, is_dataclass, replace

import pytest

from pipeline.build import run
from pipeline.bundle import read_bundle
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.runner import Runner, Stage, plan
from pipeline.stages import BUILD, IMPORT


def _closure(registry, name: str) -> set[str]:
    """The config fields a stage's key may depend on: its own and those of every upstream stage."""
    by_name = {s.name: s for s in registry}
    stage = by_name[name]
    out = set(stage.params)
    for up in stage.upstream:
        if up in by_name:
            out |= _closure(registry, up)
    return out


def _changed(config, name: str, inputs: dict):
    """``config`` with field ``name`` changed to another valid value."""
    value = getattr(config, name)
    if is_dataclass(value):
        number = next((f.name for f in fields(value) if type(getattr(value, f.name)) is int), None)
        if number is None:                                # a section of fractions only: halve the first
            number = next(f.name for f in fields(value) if type(getattr(value, f.name)) is float)
            return replace(config, **{name: replace(value, **{number: getattr(value, number) / 2})})
        return replace(config, **{name: replace(value, **{number: getattr(value, number) + 1})})
    if isinstance(value, bool):
        return replace(config, **{name: not value})
    if name == "inputs":
        return replace(config, inputs=value[:-1])
    if name == "embedding_file":
        return replace(config, embedding_file=str(inputs["bundle"]))
    if name in ("gene_sets", "tissues"):
        return replace(config, **{name: (*value, *value)})
    if name == "gene_types":
        from pipeline.sources import demo

        return replace(config, gene_types=str(demo.gene_types_file()))
    if isinstance(value, str) and value:                 # a file: the same content under another name
        copy = inputs["folder"] / f"copy-{name}-{value.rsplit('/', 1)[-1]}"
        shutil.copy(value, copy)
        return replace(config, **{name: str(copy)})
    if isinstance(value, int):
        return replace(config, **{name: value + 1})
    return replace(config, **{name: value + "x"})


@pytest.fixture(scope="module")
def files(inputs, small_bundle, tmp_path_factory):
    return {"folder": tmp_path_factory.mktemp("copies"), "embedding": small_bundle / "embedding.w2v.txt",
            "bundle": small_bundle}


@pytest.mark.parametrize("registry", [BUILD, IMPORT], ids=["build", "import"])
def test_a_key_changes_when_and_only_when_a_declared_parameter_changes(registry, inputs, files, tmp_path):
    config = replace(load_config(inputs["config"]), embedding_file=str(files["embedding"]))
    base = Runner(registry, config, tmp_path).all_keys()
    for field in fields(config):
        keys = Runner(registry, _changed(config, field.name, files), tmp_path).all_keys()
        for stage in registry:
            depends = field.name in _closure(registry, stage.name)
            assert (keys[stage.name] != base[stage.name]) == depends, (field.name, stage.name)


def test_a_key_changes_when_a_declared_file_changes(inputs, tmp_path):
    folder = tmp_path / "inputs"
    shutil.copytree(inputs["config"].parent, folder)
    config = load_config(folder / "build.toml")
    before = Runner(BUILD, config, tmp_path).all_keys()
    with open(folder / "modules.gmt", "a") as fh:
        fh.write("EXTRA\tx\tG010\tG011\n")
    after = Runner(BUILD, config, tmp_path).all_keys()
    changed = {name for name in before if before[name] != after[name]}
    downstream = {s.name for s in BUILD if "gene_sets" in _upstream_closure(s.name)}
    assert changed == {"gene_sets"} | downstream
    assert not changed & {"gene_table", "coexpression", "embedding", "layout", "ggi_paper", "ggi_degree"}


def test_a_changed_demo_compendium_is_not_served_from_an_older_cache(tmp_path, monkeypatch):
    """The demo compendium's files are inputs like any other: a cache built on an earlier
    compendium (six data sets before ten) must not give its vectors for the new one."""
    from pipeline.config import demo_config
    from pipeline.sources import demo

    before = Runner(BUILD, demo_config(), tmp_path).all_keys()
    files = demo.expression_files()
    monkeypatch.setattr(demo, "expression_files", lambda: files[:-1])
    after = Runner(BUILD, demo_config(), tmp_path).all_keys()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"coexpression"} | {s.name for s in BUILD if "coexpression" in _upstream_closure(s.name)}


def test_a_new_version_of_a_stage_is_not_served_from_an_older_cache(inputs, tmp_path):
    """Code that changes a stage's results bumps its version: its key and those after it change,
    the rest keep theirs (an older cache is reused where it is still right)."""
    config = load_config(inputs["config"])
    before = Runner(BUILD, config, tmp_path).all_keys()
    bumped = [replace(s, version=s.version + 1) if s.name == "embedding" else s for s in BUILD]
    after = Runner(bumped, config, tmp_path).all_keys()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"embedding"} | {s.name for s in BUILD if "embedding" in _upstream_closure(s.name)}
    assert "coexpression" not in changed


def _upstream_closure(name: str) -> set[str]:
    by_name = {s.name: s for s in BUILD}
    out: set[str] = set()
    for up in by_name[name].upstream:
        if up in by_name:
            out |= {up} | _upstream_closure(up)
    return out


def test_a_new_stage_needs_only_the_registry(inputs, small_bundle, small_cache, tmp_path):
    """A toy stage listed after the layout: cached under its name, timed, in the manifest; every
    other stage of the build comes from the cache."""
    def spread(stage_inputs) -> dict:
        xy = stage_inputs["layout"][0]
        return {"x_range": float(xy[:, 0].max() - xy[:, 0].min()),
                "perplexity": stage_inputs.params["layout"].perplexity}

    toy = Stage("spread", spread, needs=("layout",), params=("layout",), load=lambda folder, record: record,
                report=lambda r: {"metrics": {"spread": r}})
    manifest = run([*BUILD, toy], load_config(inputs["config"]), tmp_path / "b", small_cache)
    assert manifest["metrics"]["spread"]["perplexity"] == 30.0 and manifest["metrics"]["spread"]["x_range"] > 0
    assert "spread" in manifest["timings"] and list(small_cache.glob("spread-*/done.json"))
    assert all(manifest["stages"][s.name]["cached"] for s in BUILD if s.load is not None)
    written = json.loads((tmp_path / "b" / "manifest.json").read_text())
    assert written["metrics"]["spread"] == manifest["metrics"]["spread"]


def test_skip_drops_exactly_the_skipped_stage(inputs, small_bundle, small_cache, tmp_path):
    out = tmp_path / "b"
    assert main(["build", "--config", str(inputs["config"]), "--cache", str(small_cache), "--out", str(out),
                 "--skip", "ggipnn"]) == 0
    bundle, full = read_bundle(out), read_bundle(small_bundle)
    assert set(bundle.manifest["stages"]) == set(full.manifest["stages"]) - {"ggipnn"}
    assert set(p.name for p in out.iterdir()) == set(p.name for p in small_bundle.iterdir()) - {"ggipnn.pt"}
    assert set(bundle.manifest["metrics"]["ggipnn"]) == {"baselines"}
    assert bundle.manifest["metrics"]["pairs"] == full.manifest["metrics"]["pairs"]


def test_skipping_a_stage_another_needs_is_refused_up_front(inputs, tmp_path, capsys):
    assert main(["build", "--config", str(inputs["config"]), "--cache", str(tmp_path / "c"), "--out",
                 str(tmp_path / "b"), "--skip", "layout"]) == 2
    assert capsys.readouterr().err.strip() == "error: cannot skip layout: stage annotations needs it"
    assert not (tmp_path / "b").exists() and not (tmp_path / "c").exists()
    with pytest.raises(Exception, match="the stages are"):
        plan(BUILD, ["nope"])
    with pytest.raises(Exception, match="cannot skip annotations: the bundle is written from it"):
        plan(BUILD, ["annotations", "tissue_patterns", "enrichment_sets"], keep=("annotations",))


def test_a_long_stage_is_never_silent_in_a_log(caplog):
    """A log has no progress bars: while a stage runs, a line comes whenever the pipeline was quiet."""
    import logging
    import time

    from pipeline.progress import heartbeat

    with caplog.at_level(logging.INFO, logger="pipeline"), heartbeat("layout", every=0.2):
        time.sleep(0.75)
        logging.getLogger("pipeline.embedding").info("embedding: epoch 1/2")     # a stage's own line counts
    lines = [r.getMessage() for r in caplog.records]
    beats = [line for line in lines[:lines.index("embedding: epoch 1/2")] if line.startswith("layout: still running")]
    assert len(beats) >= 2, lines
    assert all(line.endswith(" s") for line in beats)
