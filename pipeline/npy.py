"""Every ``.npy`` the pipeline and the app read goes through :func:`load_npy`: the header's shape and
type are checked against the file's size before NumPy allocates anything, so a damaged or forged
header (10^10 x 200 floats in a file of a few bytes) is one line, not a MemoryError; no pickles."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from pipeline.errors import InputError


def load_npy(path: str | Path) -> np.ndarray:
    """The array in ``path``; InputError naming it when it is not a plain NumPy array file whose
    header matches its size."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            version = np.lib.format.read_magic(fh)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read(fh)
            offset = fh.tell()
    except (ValueError, OSError, EOFError, SyntaxError) as exc:
        raise InputError(f"not a NumPy array file ({exc.__class__.__name__}: {str(exc)[:60]})", path) from None
    if dtype.hasobject:
        raise InputError("not a NumPy array file of numbers (it holds Python objects)", path)
    expected = offset + math.prod(shape) * dtype.itemsize
    size = path.stat().st_size
    if size != expected:
        raise InputError(f"not a NumPy array file matching its header: {' x '.join(map(str, shape)) or 'scalar'} "
                         f"{dtype} is {expected:,} bytes, the file has {size:,} (truncated or damaged)", path)
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"not a NumPy array file ({exc.__class__.__name__}: {str(exc)[:60]})", path) from None
