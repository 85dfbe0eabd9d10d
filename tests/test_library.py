"""The embedding as a library: exports that read back, the Python API, two embeddings compared."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipeline import export as exports
from pipeline.bundle import read_bundle
from pipeline.cli import main
from pipeline.compare import compare, jaccard, neighbour_overlap, shared_genes
from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.sources.embeddings import read_embedding

SUFFIX = {"h5ad": ".h5ad", "npy": ".npy", "w2v": ".txt", "parquet": ".parquet"}


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_every_export_reads_back_as_the_same_vectors(small_bundle, tmp_path, fmt, capsys):
    out = tmp_path / f"vectors{SUFFIX[fmt]}"
    assert main(["export", "--bundle", str(small_bundle), "--out", str(out)]) == 0    # format from the suffix
    assert str(out) in capsys.readouterr().out
    bundle, back = read_bundle(small_bundle), read_embedding(out)
    assert list(back.genes) == list(bundle.genes["symbol"])
    np.testing.assert_allclose(back.vectors, bundle.vectors, rtol=1e-6, atol=1e-7)
    assert not list(tmp_path.glob(".*partial*"))                                    # nothing half-written left
    if fmt == "npy":
        assert (tmp_path / "vectors.genes.txt").read_text().split() == list(bundle.genes["symbol"])


def test_h5ad_holds_the_genes_map_and_build(small_bundle, tmp_path):
    import anndata

    out = tmp_path / "small.h5ad"
    exports.export(read_bundle(small_bundle), out, "h5ad")
    adata, bundle = anndata.read_h5ad(out), read_bundle(small_bundle)
    assert adata.shape == bundle.vectors.shape
    assert list(adata.obs_names) == list(bundle.genes["symbol"])
    np.testing.assert_allclose(adata.obsm["X_tsne"], bundle.genes[["x", "y"]].to_numpy(), rtol=1e-6)
    assert list(adata.obs["class"].astype(str)) == list(bundle.genes["display_class"].astype(str))
    tissue = next(c for c in bundle.genes.columns if c.startswith("tissue:"))
    np.testing.assert_allclose(adata.obs[tissue].to_numpy(dtype=float), bundle.genes[tissue].to_numpy(dtype=float),
                               rtol=1e-6, equal_nan=True)
    assert json.loads(adata.uns["manifest"])["config"] == bundle.manifest["config"]
    assert adata.uns["params"]["embedding.dims"] == bundle.manifest["config"]["embedding"]["dims"]
    assert adata.uns["metrics"]["clusteredness.cosine.pair_auc"] == pytest.approx(
        bundle.manifest["metrics"]["clusteredness"]["cosine"]["pair_auc"])


def test_parquet_is_one_row_per_gene_with_annotations_and_vector(small_bundle, tmp_path):
    out = tmp_path / "small.parquet"
    exports.export(read_bundle(small_bundle), out)
    table, bundle = pd.read_parquet(out), read_bundle(small_bundle)
    assert {"symbol", "entrez", "display_class", "x", "y", "dim_0"} <= set(table.columns)
    assert len(table) == len(bundle.genes) and f"dim_{bundle.vectors.shape[1] - 1}" in table.columns


def test_export_refuses_what_it_cannot_write_and_leaves_nothing(small_bundle, tmp_path, monkeypatch, capsys):
    assert main(["export", "--bundle", str(small_bundle), "--out", str(tmp_path / "x.foo")]) == 2
    assert "give --format" in capsys.readouterr().err
    assert main(["export", "--bundle", str(small_bundle), "--out", str(tmp_path / "no" / "x.npy")]) == 2
    assert "does not exist" in capsys.readouterr().err

    def broken(bundle):
        raise KeyboardInterrupt                                      # killed half-way through writing
    monkeypatch.setattr(exports, "parquet_table", broken)
    with pytest.raises(KeyboardInterrupt):
        exports.export(read_bundle(small_bundle), tmp_path / "x.parquet")
    assert not list(tmp_path.iterdir())


def test_damaged_exports_are_one_line_errors(tmp_path):
    (tmp_path / "a.npy").write_bytes(b"not numpy")
    with pytest.raises(InputError, match="a.genes.txt"):
        read_embedding(tmp_path / "a.npy")                            # no gene order beside it
    (tmp_path / "a.genes.txt").write_text("A\nB\n")
    with pytest.raises(InputError, match="not a NumPy array"):
        read_embedding(tmp_path / "a.npy")
    with open(tmp_path / "a.npy", "wb") as fh:                       # a header claiming 8 TB: no MemoryError
        np.lib.format.write_array_header_1_0(fh, {"descr": "<f4", "fortran_order": False, "shape": (10**10, 200)})
    with pytest.raises(InputError, match="a.npy: not a NumPy array file matching its header: 10000000000 x 200"):
        read_embedding(tmp_path / "a.npy")
    (tmp_path / "b.h5ad").write_bytes(b"nonsense")
    with pytest.raises(InputError, match="not a readable .h5ad"):
        read_embedding(tmp_path / "b.h5ad")
    pd.DataFrame({"symbol": ["A", "A"], "dim_0": [1.0, 2.0], "dim_1": [0.0, 1.0]}).to_parquet(tmp_path / "c.parquet")
    with pytest.raises(InputError, match="appears twice"):
        read_embedding(tmp_path / "c.parquet")
    pd.DataFrame({"symbol": ["A", None], "dim_0": [1.0, 2.0], "dim_1": [0.0, 1.0]}).to_parquet(tmp_path / "n.parquet")
    with pytest.raises(InputError, match="n.parquet: row 2 has no symbol"):
        read_embedding(tmp_path / "n.parquet")
    pd.DataFrame({"gene": ["A"], "v": [1.0]}).to_parquet(tmp_path / "d.parquet")
    with pytest.raises(InputError, match="'symbol' column"):
        read_embedding(tmp_path / "d.parquet")


@pytest.mark.slow
def test_scanpy_draws_the_demo_export(demo_bundle, tmp_path):
    """The issue's check: the demo bundle's h5ad opens in anndata and scanpy draws its map."""
    anndata = pytest.importorskip("anndata")
    sc = pytest.importorskip("scanpy")
    import matplotlib

    matplotlib.use("Agg")
    out = tmp_path / "demo.h5ad"
    assert main(["export", "--bundle", str(demo_bundle), "--out", str(out), "--format", "h5ad"]) == 0
    adata = anndata.read_h5ad(out)
    assert adata.n_obs > 20000 and adata.obsm["X_tsne"].shape == (adata.n_obs, 2)
    for colour in ("class", "tissue:gtex:Blood"):
        axes = sc.pl.embedding(adata, basis="tsne", color=colour, show=False)
        assert len(axes.collections[0].get_offsets()) == adata.n_obs        # every gene drawn
    matplotlib.pyplot.close("all")


@pytest.mark.slow
def test_scanpy_finds_neighbours_and_draws_a_umap_of_the_export_in_the_apps_colours(small_bundle, tmp_path):
    """Issue 31: pp.neighbors through pynndescent (scanpy's choice for 8,192 genes or more, as in the demo's
    23,555; here asked for) broke on csr_array under scipy 1.17.1; the classes keep the app's colours."""
    import warnings

    anndata = pytest.importorskip("anndata")
    sc = pytest.importorskip("scanpy")
    from gene2vec_dash.figures import CLASS_COLOURS

    out = tmp_path / "small.h5ad"
    assert main(["export", "--bundle", str(small_bundle), "--out", str(out)]) == 0
    adata = anndata.read_h5ad(out)
    classes = list(adata.obs["class"].cat.categories)
    assert list(adata.uns["class_colors"]) == [CLASS_COLOURS[c] for c in classes]
    assert classes == [c for c in CLASS_COLOURS if c in classes] and len(classes) >= 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc.pp.neighbors(adata, n_neighbors=10, use_rep="X", transformer="pynndescent", random_state=0)
        assert adata.obsp["connectivities"].shape == (adata.n_obs, adata.n_obs)
        sc.tl.umap(adata, random_state=0)
    assert adata.obsm["X_umap"].shape == (adata.n_obs, 2) and np.isfinite(adata.obsm["X_umap"]).all()
    assert list(adata.uns["class_colors"]) == [CLASS_COLOURS[c] for c in classes]      # scanpy kept them


# --- the Python API -------------------------------------------------------------------------------

def test_api_answers_as_the_app_does(small_bundle):
    from gene2vec_dash import open_bundle, queries
    from gene2vec_dash.queries import MapData

    emb = open_bundle(small_bundle)
    data = MapData.load(small_bundle)
    gene = str(emb.genes["symbol"].iloc[0])
    assert emb.vectors.shape == (len(emb.genes), read_bundle(small_bundle).vectors.shape[1])
    table = emb.neighbours(gene, k=5)
    assert list(table["symbol"]) == list(queries.neighbours(data, gene, 5)["symbol"])
    assert list(table.columns) == ["rank", "symbol", "similarity", "support", "class", "description"]
    assert list(emb.neighbours(gene.lower(), k=5)["symbol"]) == list(table["symbol"])     # any case
    assert list(emb.partners(gene, k=3)["symbol"]) == list(queries.partners(data, gene, 3)["symbol"])
    assert emb.pair(gene, table["symbol"].iloc[0])["cosine"] == pytest.approx(table["similarity"].iloc[0], abs=1e-4)
    with pytest.raises(KeyError, match="NOPE"):
        emb.neighbours("NOPE")
    kv = emb.keyed_vectors()
    assert [g for g, _ in kv.most_similar(gene, topn=5)] == list(table["symbol"])       # gensim agrees
    assert emb.to_anndata().n_obs == len(emb.genes)


def test_api_import_embedding_makes_a_bundle_from_an_export(small_bundle, inputs, tmp_path, capsys):
    from gene2vec_dash import import_embedding, open_bundle

    original = open_bundle(small_bundle)
    exported = original.export(tmp_path / "vectors.npy")[0]
    imported = import_embedding(exported, tmp_path / "imported", gene_sets=[inputs["gmt"]],
                                gene_table=inputs["gene_info"], tissues=[inputs["gct"]], cache=tmp_path / "cache",
                                skip=("ggipnn", "ggipnn_baselines"))
    assert list(imported.genes["symbol"]) == list(original.genes["symbol"])
    np.testing.assert_allclose(imported.vectors, original.vectors, rtol=1e-6)
    gene = str(original.genes["symbol"].iloc[3])
    assert list(imported.neighbours(gene, 5)["symbol"]) == list(original.neighbours(gene, 5)["symbol"])
    # an imported bundle compares like any other: the same vectors, the same neighbours
    assert main(["evaluate", "compare", str(small_bundle), str(imported.path), "--gmt", str(inputs["gmt"]),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["overlap"]["mean"] == 1.0
    from gene2vec_dash.comparison import compare as compare_gene
    from gene2vec_dash.queries import MapData

    assert compare_gene(MapData.load(small_bundle), MapData.load(imported.path), gene, 5)["jaccard"] == 1.0


def test_readme_example_runs_as_written(demo_bundle, tmp_path, monkeypatch):
    """The README's Python example, run from a folder whose bundles/demo is the test demo bundle."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Python API"):]
    code = section[section.index("```python") + len("```python"):section.index("```", section.index("```python") + 3)]
    (tmp_path / "bundles").mkdir()
    (tmp_path / "bundles" / "demo").symlink_to(demo_bundle)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)                # noqa: S102 - the README's own code
    assert "emb" in namespace and "CDK1" in set(namespace["emb"].genes["symbol"])


# --- two embeddings compared ------------------------------------------------------------------------

def test_jaccard_and_shared_genes():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    b = np.array([[3, 2, 9], [7, 8, 0]])
    np.testing.assert_allclose(jaccard(a, b), [2 / 4, 0.0])
    genes, ra, rb = shared_genes(np.array(["A", "B", "C"]), np.array(["C", "X", "A"]))
    assert list(genes) == ["A", "C"] and list(ra) == [0, 2] and list(rb) == [2, 0]


def test_overlap_is_one_under_rotation_and_falls_with_noise():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 16)).astype(np.float32)
    rotation = np.linalg.qr(rng.normal(size=(16, 16)))[0].astype(np.float32)
    assert neighbour_overlap(x, x @ rotation, 10).min() == pytest.approx(1.0)      # cosine ignores rotations
    noisy = neighbour_overlap(x, x + rng.normal(scale=1.0, size=x.shape).astype(np.float32), 10)
    assert 0.05 < noisy.mean() < 0.9


def test_compare_measures_both_on_the_shared_genes(small_bundle, inputs):
    from pipeline.sources.genesets import read_gmt

    bundle = read_bundle(small_bundle)
    genes = bundle.genes["symbol"].to_numpy(dtype=str)
    a = Embedding(genes, bundle.vectors)
    b = Embedding(genes[::-1][:-5], bundle.vectors[::-1][:-5])            # another order, 5 genes fewer
    files = {"modules": read_gmt(inputs["gmt"])}
    result = compare(a, b, files, tiers=bundle.genes["support"].to_numpy(dtype=object))
    assert result["genes"] == {"a": len(genes), "b": len(genes) - 5, "shared": len(genes) - 5}
    assert result["overlap"]["mean"] > 0.95                                 # the same vectors, bar 5 genes
    assert result["a"]["clusteredness"]["pair_auc"] == pytest.approx(result["b"]["clusteredness"]["pair_auc"])
    assert set(result["overlap"]["by_support"]) <= {"high", "medium", "low", "very low"}


def test_evaluate_compare_prints_both_embeddings(small_bundle, small_bundle_seed1, inputs, capsys):
    assert main(["evaluate", "compare", str(small_bundle), str(small_bundle_seed1), "--gmt", str(inputs["gmt"]),
                 "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    result = json.loads(out[-1])
    assert "small" in out[1] and "seed1" in out[1] and "raw co-expr." in out[1]
    assert any(line.startswith("pathway-pair AUC") for line in out)
    assert result["genes"]["shared"] == result["genes"]["a"]
    assert 0 < result["overlap"]["mean"] < 1                                 # another seed: not the same lists
    assert result["a"]["clusteredness"]["pair_auc"] > 0.6 and result["b"]["clusteredness"]["pair_auc"] > 0.6
    assert "coexpression" in result and result["overlap"]["random"] < 0.1


@pytest.mark.parametrize("out", ["/proc/x.npy", "/sys/x.parquet", "/proc/x.h5ad"])
def test_export_to_a_place_it_cannot_write_is_one_line(small_bundle, out, capsys):
    assert main(["export", "--bundle", str(small_bundle), "--out", out]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: {out}: cannot write it ("), err


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_a_full_disk_leaves_no_half_written_export(small_bundle, tmp_path, fmt):
    """The disk fills part-way (``ulimit -f``: at most 1 KB a file): one line, status 2, nothing left
    (h5ad segfaulted, the others printed tracebacks); a killed export's leftover is removed too."""
    import subprocess
    import sys

    out = tmp_path / f"vectors{SUFFIX[fmt]}"
    (tmp_path / f".vectors.99999.partial{SUFFIX[fmt]}").write_bytes(b"left by a killed export")
    done = subprocess.run(["bash", "-c", 'ulimit -f 1 && exec "$@"', "_", sys.executable, "-m", "pipeline", "export",
                           "--bundle", str(small_bundle), "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip().count("\n") == 0 and f"{out}: cannot write it (" in done.stderr, done.stderr
    assert not list(tmp_path.iterdir())
