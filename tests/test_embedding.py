import numpy as np
import pytest

import pipeline.embedding as embedding_module
from pipeline.coexpression import PairSet, StoredPairs
from pipeline.config import ClusterednessConfig, EmbeddingConfig
from pipeline.embedding import Embedding, PairCorpus, train_embedding
from pipeline.evaluate import clusteredness
from pipeline.synthetic import planted_pairs


def _pair_set(genes, pairs, name="planted"):
    return PairSet(name, genes, pairs[:, 0].astype(np.int32), pairs[:, 1].astype(np.int32),
                   np.full(len(pairs), np.nan, np.float16))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    genes, pairs, modules = planted_pairs(n_genes=400, n_modules=20, n_pairs=30_000, within=0.9, seed=1)
    corpus = PairCorpus.build([_pair_set(genes, pairs)], tmp_path_factory.mktemp("corpus"))
    return genes, modules, corpus


def test_corpus_merges_sets_on_one_vocabulary(tmp_path):
    a = PairSet("a", np.array(["X", "Y"]), np.array([0], np.int32), np.array([1], np.int32), np.zeros(1, np.float16))
    b = PairSet("b", np.array(["Y", "Z", "X"]), np.array([0, 2], np.int32), np.array([1, 0], np.int32),
                np.zeros(2, np.float16))
    b.save(tmp_path / "b")
    corpus = PairCorpus.build([a, StoredPairs.open(tmp_path / "b")], tmp_path)
    assert corpus.vocab.tolist() == ["X", "Y", "Z"]
    assert corpus.n_pairs == 3 and corpus.counts.tolist() == [2, 3, 1]      # X-Y appears in both sets
    assert np.concatenate(list(corpus.chunks())).tolist() == [[0, 1], [1, 2], [0, 1]]


@pytest.mark.parametrize("bucket", [7, 1 << 20])
def test_shuffle_is_a_seeded_permutation(planted, monkeypatch, bucket):
    monkeypatch.setattr(embedding_module, "BUCKET_PAIRS", bucket)          # 7: many buckets on disk
    _, _, corpus = planted
    small = PairCorpus(corpus.vocab, corpus.counts, corpus.path, 500, corpus.sources)   # first 500 pairs
    one = np.concatenate(list(small.shuffled(seed=3)))
    two = np.concatenate(list(small.shuffled(seed=3)))
    other = np.concatenate(list(small.shuffled(seed=4)))
    original = np.concatenate(list(small.chunks()))
    key = lambda p: sorted(map(tuple, p.tolist()))                       # noqa: E731
    assert key(one) == key(original)
    assert np.array_equal(one, two) and not np.array_equal(one, other)
    assert not np.array_equal(one, original)


def test_epoch_file_is_gensim_line_sentences(planted, tmp_path):
    _, _, corpus = planted
    keep = np.ones(len(corpus.vocab), bool)
    keep[0] = False
    n = corpus.write_epoch(tmp_path / "e.txt", seed=0, keep=keep)
    lines = (tmp_path / "e.txt").read_text().splitlines()
    assert len(lines) == n < corpus.n_pairs
    assert all(len(line.split(" ")) == 2 for line in lines)
    tokens = [row.tobytes().decode() for row in corpus.tokens()]
    assert len(set(tokens)) == len(corpus.vocab)
    assert tokens[0] not in {t for line in lines for t in line.split()}        # its gene was left out


@pytest.mark.slow
def test_planted_modules_are_recovered(planted):
    genes, modules, corpus = planted
    config = EmbeddingConfig(dims=32, epochs=5, min_count=1, seed=2)
    emb, stats = train_embedding(corpus, config)
    assert stats["genes_embedded"] == len(genes)
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    module_of = dict(zip(genes, modules))
    top = np.argsort(-sims, axis=1)[:, :10]
    same = np.mean([[module_of[emb.genes[j]] == module_of[g] for j in row] for g, row in zip(emb.genes, top)])
    assert same > 0.9
    sets = {f"M{m}": list(genes[modules == m]) for m in range(20)}
    clus = clusteredness(emb.genes, emb.vectors, sets, ClusterednessConfig(random_genes=200))
    assert clus["cosine"]["ratio"] > 2.0


def test_same_seed_same_vectors(planted, tmp_path):
    _, _, corpus = planted
    config = EmbeddingConfig(dims=16, epochs=2, min_count=1, seed=5, workers=1)
    a, _ = train_embedding(corpus, config)
    b, _ = train_embedding(corpus, config)
    assert np.array_equal(a.vectors, b.vectors)


def test_epoch_callback_and_saved_formats(planted, tmp_path):
    from gensim.models import KeyedVectors

    _, _, corpus = planted
    seen = []
    emb, _ = train_embedding(corpus, EmbeddingConfig(dims=8, epochs=2, min_count=1),
                             on_epoch=lambda epoch, e: seen.append((epoch, len(e.genes))))
    assert [s[0] for s in seen] == [1, 2]
    emb.save(tmp_path)
    back = Embedding.load(tmp_path)
    assert np.array_equal(back.vectors, emb.vectors) and list(back.genes) == list(emb.genes)
    kv = KeyedVectors.load_word2vec_format(str(tmp_path / "embedding.w2v.txt"))
    assert np.allclose(kv[emb.genes[3]], emb.vectors[3], atol=1e-5)


@pytest.mark.parametrize("bucket", [5, 1 << 20])
def test_capping_repeated_pairs(tmp_path, monkeypatch, bucket):
    monkeypatch.setattr(embedding_module, "BUCKET_PAIRS", bucket)
    genes = np.array(["A", "B", "C", "D"])
    pairs = np.array([[0, 1]] * 5 + [[1, 0]] * 2 + [[2, 3]] * 2 + [[0, 2]])        # A-B seen 7 times
    corpus = PairCorpus.build([_pair_set(genes, pairs)], tmp_path)
    capped = corpus.capped(3, tmp_path / "capped")
    got = sorted(tuple(sorted(p)) for p in np.concatenate(list(capped.chunks())).tolist())
    assert got == [(0, 1)] * 3 + [(0, 2)] + [(2, 3)] * 2
    assert capped.counts.tolist() == [4, 3, 3, 2] and capped.n_pairs == 6


def test_interrupted_training_resumes_from_its_checkpoint(planted, tmp_path):
    _, _, corpus = planted
    config = EmbeddingConfig(dims=16, epochs=3, min_count=1, seed=4)
    whole, _ = train_embedding(corpus, config)

    def crash_in_epoch_2(epoch, emb):
        if epoch == 2:
            raise KeyboardInterrupt
        return {"seen": epoch}

    with pytest.raises(KeyboardInterrupt):
        train_embedding(corpus, config, on_epoch=crash_in_epoch_2, checkpoints=tmp_path / "ckpt")
    assert [p.name for p in (tmp_path / "ckpt").iterdir()] == ["epoch-001"]
    trained = []
    resumed, stats = train_embedding(corpus, config, checkpoints=tmp_path / "ckpt",
                                     on_epoch=lambda epoch, emb: trained.append(epoch))
    assert trained == [2, 3] and [e["epoch"] for e in stats["epochs"]] == [1, 2, 3]
    assert stats["epochs"][0]["seen"] == 1
    np.testing.assert_allclose(resumed.vectors, whole.vectors, atol=1e-6)
