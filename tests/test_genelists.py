"""Gene lists: reading a pasted list, and enrichment p-values against scipy's Fisher exact test."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact

from gene2vec_dash.genelists import GeneSets, enrichment, read_gene_list


def _sets(n_genes=400, n_sets=300, seed=0):
    rng = np.random.default_rng(seed)
    symbols = np.array([f"S{k}" for k in range(n_genes)], dtype=object)
    rows = []
    for s in range(n_sets):
        size = int(rng.integers(5, 60))
        rows += [("GO BP" if s % 2 else "Reactome", f"set {s}", g) for g in rng.choice(symbols, size, replace=False)]
    frame = pd.DataFrame(rows, columns=["source", "name", "gene"])
    return GeneSets.from_frame(frame, {s: k for k, s in enumerate(symbols)}), symbols, frame


def test_p_values_are_the_one_sided_fisher_exact_test():
    sets, symbols, _ = _sets()
    rng = np.random.default_rng(1)
    listed = np.sort(rng.choice(len(symbols), 60, replace=False))
    table = enrichment(sets, listed, symbols, top=len(sets), min_overlap=1)
    assert len(table) > 50 and (np.diff(table["p"]) >= 0).all()
    n_genes, n = len(symbols), len(listed)
    names = list(sets.name)
    for _, row in table.sample(40, random_state=0).iterrows():
        k = names.index(row["gene set"])
        members = set(sets.rows_of(k))
        overlap = len(members & set(listed))
        assert overlap == row["overlap"] and row["genes"].count(",") == overlap - 1
        _, p = fisher_exact([[overlap, len(members) - overlap], [n - overlap, n_genes - len(members) - n + overlap]],
                            alternative="greater")
        assert row["p"] == pytest.approx(p, abs=1e-9, rel=1e-9)
    assert (table["FDR"] >= table["p"] - 1e-15).all()


def test_a_planted_set_comes_first():
    sets, symbols, frame = _sets()
    members = frame.loc[frame["name"] == "set 7", "gene"]
    listed = np.array(sorted(int(g[1:]) for g in members))[:20]
    table = enrichment(sets, listed, symbols)
    assert table.iloc[0]["gene set"] == "set 7" and table.iloc[0]["FDR"] < 1e-10


def test_empty_inputs_give_empty_tables():
    sets, symbols, _ = _sets()
    assert enrichment(sets, np.array([], dtype=int), symbols).empty
    empty = GeneSets.from_frame(pd.DataFrame(columns=["source", "name", "gene"]), {"A": 0})
    assert len(empty) == 0 and enrichment(empty, np.array([0]), np.array(["A"])).empty


def test_set_search_needs_every_word():
    sets, _, _ = _sets()
    found = sets.find("GO set 1")
    assert found and all(sets.source[k] == "GO BP" and "1" in sets.name[k] for k in found)
    assert (np.diff(sets.sizes[found]) >= 0).all()                       # the smallest sets first
    assert sets.find("") == [] and sets.find("nothing like this") == []


def test_pasted_lists_take_any_separator_case_alias_and_entrez_id():
    alias = {"TP53": "TP53", "P53": "TP53", "MDM2": "MDM2", "CDK1": "CDK1", "CDC2": "CDK1"}
    reading = read_gene_list("tp53, MDM2;\tcdc2\n\n7157 NOPE p53 4193|", alias, {"7157": "TP53", "4193": "MDM2"},
                             {"TP53": 0, "MDM2": 1, "CDK1": 2})
    assert reading.rows.tolist() == [0, 1, 2]                            # first mention order, no repeats
    assert ("cdc2", "CDK1") in reading.renamed and ("p53", "TP53") in reading.renamed
    assert ("tp53", "TP53") not in reading.renamed                      # case alone is not a renaming
    assert reading.unknown == ["NOPE"] and not reading.truncated
    assert read_gene_list(None, alias, {}, {}).rows.size == 0



def _named_sets(names_and_sizes, n_genes=400):
    symbols = [f"S{k}" for k in range(n_genes)]
    frame = pd.DataFrame([(source, name, symbols[g]) for source, name, size in names_and_sizes for g in range(size)],
                         columns=["source", "name", "gene"])
    return GeneSets.from_frame(frame, {s: k for k, s in enumerate(symbols)})


def test_a_set_named_exactly_what_was_typed_comes_first():
    sets = _named_sets([("GO BP", "GO:0006123 mitochondrial electron transport, cytochrome c to oxygen", 8),
                        ("GO BP", "GO:0015671 oxygen transport", 40),
                        ("GO BP", "GO:0015670 carbon dioxide transport", 9),
                        ("WikiPathways", "Oxygen transport WP1234", 60)])
    names = [sets.name[k] for k in sets.find("Oxygen   Transport")]
    assert names == ["GO:0015671 oxygen transport", "Oxygen transport WP1234",       # exact, with or without the id
                     "GO:0006123 mitochondrial electron transport, cytochrome c to oxygen"]
    assert [sets.name[k] for k in sets.find("go:0015671 oxygen transport")] == ["GO:0015671 oxygen transport"]
    # no exact name: fewest words first ("oxygen transport", then "carbon dioxide transport"), smallest among equals
    assert [sets.name[k] for k in sets.find("transport")][:3] == [
        "GO:0015671 oxygen transport", "Oxygen transport WP1234", "GO:0015670 carbon dioxide transport"]


def test_names_that_begin_with_what_was_typed_come_before_longer_ones():
    sets = _named_sets([("GO BP", "GO:0045787 positive regulation of cell cycle", 5),
                        ("GO BP", "GO:0044770 cell cycle phase transition", 50),
                        ("GO BP", "GO:0007049 cell cycle", 300),
                        ("Reactome", "REACTOME_CELL_CYCLE_CHECKPOINTS", 20)])
    assert [sets.name[k] for k in sets.find("cell cycle")] == [
        "GO:0007049 cell cycle", "GO:0044770 cell cycle phase transition", "REACTOME_CELL_CYCLE_CHECKPOINTS",
        "GO:0045787 positive regulation of cell cycle"]


def test_set_search_is_a_substring_search_of_every_word():
    sets, _, _ = _sets(n_sets=200)
    labels = [f"{s} {n}".lower() for s, n in zip(sets.source, sets.name)]
    for query in ("go", "set 1", "reactome 7", "et 1", "GO BP set 19", "bp reac", "o", "set 10 go", "1 1"):
        expected = [k for k, label in enumerate(labels) if all(w in label for w in query.lower().split())]
        assert sorted(sets.find(query, limit=len(sets))) == expected, query


def test_set_search_answers_in_bounded_time_whatever_is_typed():
    """The issue's attack: a 13 KB value of 2,000 words (the search used to cost ~10 ms a word)."""
    import time

    rng = np.random.default_rng(3)
    vocabulary = np.array([f"w{k}" for k in range(5000)])
    sets = _named_sets([("GO BP", f"GO:{k:07d} " + " ".join(rng.choice(vocabulary, 6)), 5) for k in range(10_000)])
    for text in (" ".join(rng.choice(vocabulary, 2000)), "w1 " * 5000, "w" * 100_000, " ".join("abcdefghij" * 200)):
        started = time.perf_counter()
        sets.find(text)
        assert time.perf_counter() - started < 0.5, len(text)
