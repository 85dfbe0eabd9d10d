"""Synthetic data with planted gene modules, for tests and benchmarks (known right answers)."""
from __future__ import annotations

import numpy as np


def module_genes(n_modules: int, module_size: int, prefix: str = "G") -> tuple[np.ndarray, np.ndarray]:
    """Gene names and their module (``-1`` for none), module by module."""
    width = len(str(n_modules * module_size))
    names = np.array([f"{prefix}{k:0{width}d}" for k in range(n_modules * module_size)])
    return names, np.repeat(np.arange(n_modules), module_size)


def planted_expression(n_modules: int = 10, module_size: int = 20, n_samples: int = 40,
                       n_background: int = 50, noise: float = 0.25, seed: int = 0
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log2-scale genes x samples: genes of a module follow one shared factor (r ~ 0.95 within,
    ~0 between); background genes are noise. Returns (values, gene names, module or -1)."""
    rng = np.random.default_rng(seed)
    genes, modules = module_genes(n_modules, module_size)
    factors = rng.normal(size=(n_modules, n_samples))
    loading = rng.uniform(0.8, 1.2, size=(len(genes), 1))
    values = factors[modules] * loading + noise * rng.normal(size=(len(genes), n_samples))
    background = rng.normal(size=(n_background, n_samples))
    bg_names = np.array([f"B{k:04d}" for k in range(n_background)])
    return (np.vstack([values, background]) + 8.0, np.concatenate([genes, bg_names]),
            np.concatenate([modules, np.full(n_background, -1)]))


def planted_pairs(n_genes: int, n_modules: int, n_pairs: int, within: float = 0.9, seed: int = 0
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Co-expression-like pairs: a fraction ``within`` joins two genes of one module, the rest
    are random. Returns (gene names, int32 (n, 2) pairs, module of each gene)."""
    rng = np.random.default_rng(seed)
    size = n_genes // n_modules
    genes, modules = module_genes(n_modules, size)
    n_in = int(n_pairs * within)
    module = rng.integers(n_modules, size=n_in)
    a = module * size + rng.integers(size, size=n_in)
    b = module * size + rng.integers(size, size=n_in)
    c = rng.integers(len(genes), size=(n_pairs - n_in, 2))
    pairs = np.vstack([np.column_stack([a, b]), c]).astype(np.int32)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return genes, pairs[rng.permutation(len(pairs))], modules
