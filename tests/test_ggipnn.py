import numpy as np
import pytest
import torch

from pipeline.cli import main
from pipeline.config import GGIPNNConfig
from pipeline.embedding import Embedding
from pipeline.errors import InputError
from pipeline.ggipnn import PairClassifier, PairData, read_pairs, save_predictor, train_ggipnn


def planted_problem(n_modules=12, size=25, dims=24, seed=0):
    """Genes in modules (clusters in vector space); a pair interacts iff same module.
    Genes are split 7:1:2 so that no test gene is seen in training."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_modules, dims))
    genes = np.array([f"g{k}" for k in range(n_modules * size)])
    module = np.repeat(np.arange(n_modules), size)
    vectors = (centres[module] + 0.3 * rng.normal(size=(len(genes), dims))).astype(np.float32) * 0.1
    order = rng.permutation(len(genes))
    cut = np.split(order, [int(0.7 * len(genes)), int(0.8 * len(genes))])

    def pairs(members, n):
        a, b = rng.choice(members, n), rng.choice(members, n)
        same = rng.random(n) < 0.5
        b[same] = [rng.choice(members[module[members] == module[x]]) for x in a[same]]
        keep = a != b
        return PairData(genes[a[keep]], genes[b[keep]], (module[a[keep]] == module[b[keep]]).astype(np.int64))

    return Embedding(genes, vectors), pairs(cut[0], 6000), pairs(cut[1], 600), pairs(cut[2], 1200)


def test_frozen_vectors_solve_a_planted_problem():
    emb, train, valid, test = planted_problem()
    trained = train_ggipnn(emb, train, valid, test, GGIPNNConfig(max_epochs=15, patience=4, seed=1))
    assert trained.metrics["test_auc"] > 0.9
    assert trained.metrics["best_epoch"] == max(trained.history, key=lambda h: h["valid_auc"])["epoch"]
    random = train_ggipnn(None, train, valid, test, GGIPNNConfig(max_epochs=5, seed=1), dims=24)
    assert random.metrics["test_auc"] < 0.65               # unseen genes: random vectors carry nothing


def test_saved_model_rebuilds_the_classifier(tmp_path):
    """The saved file is the reproduction's artefact: its weights and config rebuild the same scores."""
    emb, train, valid, test = planted_problem(n_modules=4, size=10)
    trained = train_ggipnn(emb, train, valid, None, GGIPNNConfig(max_epochs=2))
    save_predictor(trained, tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    assert payload["format"] == "gene2vec-dash ggipnn"
    assert payload["metrics"]["valid_auc"] == trained.metrics["valid_auc"]
    rebuilt = PairClassifier(payload["dims"], tuple(payload["config"]["hidden"]), payload["config"]["dropout"])
    rebuilt.load_state_dict(payload["classifier"])
    rebuilt.eval(), trained.model.eval()
    va, vb = torch.from_numpy(emb.vectors[:5]), torch.from_numpy(emb.vectors[5:10])
    with torch.no_grad():
        assert torch.allclose(rebuilt(va, vb), trained.model.classifier(va, vb))


def _write(tmp_path, name, pairs, labels):
    text, label = tmp_path / f"{name}_text.txt", tmp_path / f"{name}_label.txt"
    text.write_text("".join(" ".join(pair) + "\n" for pair in pairs))
    label.write_text("".join(f"{x}\n" for x in labels))
    return text, label


@pytest.mark.parametrize("pairs, labels, problem", [
    ([("A", "B"), ("A", "C")], [1], "1 labels for 2 pairs"),
    ([("A", "B")], [2], "label '2' is not 0 or 1"),
    ([("A", "B", "C")], [1], "3 fields"),
    ([("A", "B"), ("A", "C")], [1, 1], "every label is 1: a split needs both 0 and 1"),
])
def test_bad_pair_files(tmp_path, pairs, labels, problem):
    with pytest.raises(InputError, match=problem):
        read_pairs(*_write(tmp_path, "x", pairs, labels))


def test_cli_on_paper_format_files(tmp_path, capsys):
    emb, train, valid, test = planted_problem(n_modules=6, size=15)
    with open(tmp_path / "emb.txt", "w") as fh:                   # the paper's GENE<TAB>floats format
        for g, v in zip(emb.genes, emb.vectors):
            fh.write(g + "\t" + " ".join(map(str, v)) + "\n")
    args = ["ggipnn", "--embedding", str(tmp_path / "emb.txt"), "--max-epochs", "4", "--json"]
    for name, data in (("train", train), ("valid", valid), ("test", test)):
        args += [f"--{name}", *map(str, _write(tmp_path, name, zip(data.genes_a, data.genes_b), data.labels))]
    assert main(args + ["--out", str(tmp_path / "m.pt")]) == 0
    import json

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["valid_auc"] > 0.8 and result["test_auc"] > 0.8
    assert (tmp_path / "m.pt").exists()


def test_cli_refuses_pairs_named_another_way(tmp_path, capsys):
    emb, train, valid, _ = planted_problem(n_modules=3, size=30)     # a valid split with both labels
    (tmp_path / "emb.txt").write_text("".join(g + "\t" + " ".join(map(str, v)) + "\n"
                                              for g, v in zip(emb.genes, emb.vectors)))
    tr = _write(tmp_path, "train", [(f"ENSG{k}", f"ENSG{k + 1}") for k in range(20)], [k % 2 for k in range(20)])
    va = _write(tmp_path, "valid", zip(valid.genes_a, valid.genes_b), valid.labels)
    code = main(["ggipnn", "--embedding", str(tmp_path / "emb.txt"), "--train", *map(str, tr),
                 "--valid", *map(str, va)])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "train_text.txt" in err and "have a vector" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("out, problem", [("folder", "folder: is a folder"), ("missing/m.pt", "folder "
                                                                             ".*missing does not exist")])
def test_cli_refuses_an_unwritable_out_before_any_work(tmp_path, capsys, out, problem):
    """Checked first: the embedding (absent here) is not even read, let alone trained on."""
    import re

    (tmp_path / "folder").mkdir()
    code = main(["ggipnn", "--embedding", str(tmp_path / "absent.txt"), "--train", "p", "l", "--valid", "p", "l",
                 "--out", str(tmp_path / out)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and re.search(problem, err) and str(tmp_path / out) in err
