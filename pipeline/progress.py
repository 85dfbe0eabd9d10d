"""The one progress bar of every long step (tqdm; silent when output is not a terminal)."""
from __future__ import annotations

from typing import Callable, Iterable


def bar(desc: str, total: int | None = None, unit: str = "it") -> Callable[[Iterable], Iterable]:
    """A ``progress`` argument for the pipeline's stages: wraps an iterable in a transient bar."""
    from tqdm import tqdm

    return lambda it: tqdm(it, desc=desc, total=total, unit=unit, leave=False, dynamic_ncols=True, disable=None)
