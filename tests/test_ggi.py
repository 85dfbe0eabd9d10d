import numpy as np
import pandas as pd
import pytest

from pipeline.config import GGIConfig
from pipeline.errors import InputError
from pipeline.ggi import SPLITS, ancestor_matrix, degree_balance, labelled_pairs, split_genes, term_levels
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
    go = GeneOntology(read_gene2go(inputs["gene2go"], genes), *read_obo(inputs["obo"]))
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
    dag, names = read_obo(path)
    assert dag.values.tolist() == [["GO:1", "GO:0008150", "is_a"], ["GO:1", "GO:2", "part_of"]]
    assert names.to_dict() == {"GO:1": ""}


def _modules() -> dict[str, int]:
    from fixtures import gene_names

    names, modules = gene_names()
    return dict(zip(names, modules))


MODULE = _modules()


def test_degree_matched_negatives_give_every_gene_as_many_negatives_as_positives(inputs):
    genes = read_ncbi_gene_info(inputs["gene_info"])
    go = GeneOntology(read_gene2go(inputs["gene2go"], genes), *read_obo(inputs["obo"]))
    splits = labelled_pairs(go, GGIConfig(max_positive_pairs=0, negatives="degree", seed=3))
    paper = labelled_pairs(go, GGIConfig(max_positive_pairs=0, seed=3))
    for name in SPLITS:
        frame = splits[name]
        assert degree_balance(frame) == {"genes_unbalanced": 0, "pairs_off": 0}, name
        assert not frame.duplicated(["gene_a", "gene_b"]).any() and (frame["gene_a"] < frame["gene_b"]).all()
        positives = frame[frame["label"] == 1]
        pd.testing.assert_frame_equal(positives.sort_values(["gene_a", "gene_b"]).reset_index(drop=True),
                                      paper[name][paper[name]["label"] == 1].sort_values(["gene_a", "gene_b"])
                                      .reset_index(drop=True))          # the same positives as the paper's
        negatives = frame[frame["label"] == 0]
        assert len(negatives) == len(positives)
        assert (negatives["gene_a"].map(MODULE) != negatives["gene_b"].map(MODULE)).all()  # never one process
    assert degree_balance(paper["train"])["genes_unbalanced"] > 0       # the paper's protocol is not matched
    again = labelled_pairs(go, GGIConfig(max_positive_pairs=0, negatives="degree", seed=3))
    assert all(again[n].equals(splits[n]) for n in SPLITS)              # seeded


def test_degree_matched_negatives_are_unrelated_in_go():
    go = GeneOntology(ANNOTATIONS, DAG)
    pairs = labelled_pairs(go, GGIConfig(split=(1.0, 0.0, 0.0), max_positive_pairs=0, negatives="degree",
                                         seed=1))["train"]
    negatives = {frozenset((a, b)) for a, b, label in pairs.itertuples(index=False) if label == 0}
    assert negatives <= UNRELATED and len(negatives) == 2
