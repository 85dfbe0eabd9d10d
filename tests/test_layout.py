import numpy as np

from pipeline.config import LayoutConfig
from pipeline.layout import neighbourhood_preservation, tsne_layout


def clusters(n=8, size=40, dims=30, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n, dims)) * 3
    return (np.repeat(centres, size, axis=0) + rng.normal(size=(n * size, dims))).astype(np.float32)


def test_layout_keeps_neighbourhoods_and_is_seeded():
    x = clusters()
    xy, info = tsne_layout(x, LayoutConfig(seed=1))
    assert xy.shape == (len(x), 2) and info["gradient"] == "fft" and info["perplexity"] == 30
    assert neighbourhood_preservation(x, xy) > 0.5
    again, _ = tsne_layout(x, LayoutConfig(seed=1))
    assert np.allclose(xy, again)


def test_neighbourhood_preservation_bounds():
    angle = np.random.default_rng(0).uniform(0, 2 * np.pi, 300)
    x = np.column_stack([np.cos(angle), np.sin(angle)]).astype(np.float32)   # on the circle: cosine = distance
    assert neighbourhood_preservation(x, x, k=5) == 1.0
    shuffled = np.random.default_rng(0).permutation(x)
    assert neighbourhood_preservation(x, shuffled, k=5) < 0.1


def test_tiny_inputs_get_a_smaller_perplexity():
    _, info = tsne_layout(clusters(n=2, size=15), LayoutConfig())
    assert info["perplexity"] < 10
