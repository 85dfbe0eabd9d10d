"""Expected failures, reported to the user as one line (no traceback)."""
from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input that the user can fix: names the file (when there is one) and the problem.

    The CLI prints ``str(error)`` and exits with status 2; library callers catch it like
    any ``ValueError``-style problem.
    """

    def __init__(self, problem: str, path: str | Path | None = None):
        self.problem = problem
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {problem}" if self.path else problem)
