import numpy as np
import pandas as pd
import pytest

from pipeline.config import GGIConfig
from pipeline.errors import InputError
from pipeline.ggi import SPLITS, ancestor_matrix, labelled_pairs, split_genes, term_levels
from pipeline.sources.genes import read_ncbi_gene_info
from pipeline.sources.go import GeneOntology, read_gene2go, read_obo

ROOT, T1, T2, T3, A, A1, B, C, SIG = ("GO:0008150", "GO:0000001", "GO:0000002", "GO:0000003", "GO:000000A",
                                      "GO:00000A1", "GO:000000B", "GO:000000C", "GO:0007165")
DAG = pd.DataFrame([(T1, ROOT, "is_a"), (T2, T1, "is_a"), (T3, T2, "is_a"), (A, T3, "is_a"), (A1, A, "is_a"),
                    (B, T3, "is_a"), (C, T3, "part_of"), (SIG, T3, "is_a"), (A1, B, "regulates")],
                   columns=["child", "parent", "relationship"])
ANNOTATIONS = pd.DataFrame([("g1", A, "IDA"), ("g2", A, "IMP"), ("g3", A1, "IDA"), ("g4", T3, "IDA"),
                            ("g5", T3, "IGI"), ("g6", SIG, "IDA"), ("g7", SIG, "IPI"), ("g8", B, "IEA"),
                            ("g9", B, "TAS"), ("g10", B, "IDA"), ("g11", C, "IDA")],
                           columns=["symbol", "go_id", "evidence"])
UNRELATED = ({frozenset((a, b)) for a in ("g1", "g2", "g3") for b in ("g6", "g7", "g9", "g10", "g11")}
             | {frozenset((a, b)) for a in ("g6", "g7") for b in ("g9", "g10", "g11")}
             | {frozenset((a, "g11")) for a in ("g9", "g10")})


def test_levels_are_shortest_is_a_or_part_of_paths():
    level = term_levels(DAG)
    assert [level[t] for t in (ROOT, T1, T2, T3, A, A1, C)] == [0, 1, 2, 3, 4, 5, 4]


def test_ancestors_follow_is_a_and_part_of_only():
    terms = sorted(set(DAG["child"]) | set(DAG["parent"]))
    up = ancestor_matrix(DAG, terms).toarray()
    idx = {t: k for k, t in enumerate(terms)}
    assert {t for t in terms if up[idx[A1], idx[t]]} == {A1, A, T3, T2, T1, ROOT}     # not B (regulates)
    assert up[idx[C], idx[T3]]


def test_positive_and_negative_rules_on_a_tiny_dag():
    go = GeneOntology(ANNOTATIONS, DAG)
    pairs = labelled_pairs(go, GGIConfig(split=(1.0, 0.0, 0.0), max_positive_pairs=0, seed=1))["train"]
    got = {frozenset((a, b)): label for a, b, label in pairs.itertuples(index=False)}
    positives = {p for p, label in got.items() if label == 1}
    # A is shared (level 4); T3 (level 3) and the excluded signalling term are not; g8 has IEA only
    assert positives == {frozenset(("g1", "g2")), frozenset(("g9", "g10"))}
    negatives = {p for p, label in got.items() if label == 0}
    assert len(negatives) == 2 and negatives <= UNRELATED        # never g1-g3 (A1 is a child of A)


def test_split_is_gene_disjoint_and_balanced(inputs):
    genes = read_ncbi_gene_info(inputs["gene_info"])
    go = GeneOntology(read_gene2go(inputs["gene2go"], genes), read_obo(inputs["obo"]))
    splits = labelled_pairs(go, GGIConfig(max_positive_pairs=0, seed=3))
    members = {name: set(f["gene_a"]) | set(f["gene_b"]) for name, f in splits.items()}
    assert not (members["train"] & members["valid"]) and not (members["train"] & members["test"])
    assert not (members["valid"] & members["test"])
    for name in SPLITS:
        assert splits[name]["label"].mean() == 0.5
    assert len(members["train"]) > 3 * len(members["test"]) > 0
    again = labelled_pairs(go, GGIConfig(max_positive_pairs=0, seed=3))
    assert all(again[n].equals(splits[n]) for n in SPLITS)            # seeded


def test_split_fractions():
    genes = np.array([f"g{k}" for k in range(100)])
    parts = split_genes(genes, (0.7, 0.1, 0.2), seed=0)
    assert [len(parts[n]) for n in SPLITS] == [70, 10, 20]
    with pytest.raises(InputError, match="fractions"):
        split_genes(genes, (0.7, 0.7, 0.2), seed=0)


def test_obo_reader_keeps_bp_edges(tmp_path):
    path = tmp_path / "go.obo"
    path.write_text("format-version: 1.2\n\n[Term]\nid: GO:1\nnamespace: biological_process\n"
                    "is_a: GO:0008150 ! bp\nrelationship: part_of GO:2 ! x\n\n[Term]\nid: GO:3\n"
                    "namespace: molecular_function\nis_a: GO:0003674\n\n[Term]\nid: GO:4\n"
                    "namespace: biological_process\nis_obsolete: true\nis_a: GO:1\n\n[Typedef]\nid: part_of\n")
    dag = read_obo(path)
    assert dag.values.tolist() == [["GO:1", "GO:0008150", "is_a"], ["GO:1", "GO:2", "part_of"]]
