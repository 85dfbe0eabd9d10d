"""Every callback input parsed once, at the boundary, with explicit types and bounds.

The browser sends JSON that anyone can forge: a value may have any type, any length, NaN or
Infinity, or be nested a few hundred levels deep. Each parser here returns a value of the one type
its callback expects (or None: absent), so a callback body never sees anything else; where what was
sent could not be used as is, the note the app shows says so. Nothing here raises.
"""
from __future__ import annotations

import math
import re

from gene2vec_dash.genelists import SEPARATOR
from gene2vec_dash.queries import MAX_K

MAX_NAME = 100              # a gene symbol, alias or Entrez id (the longest real symbols have ~25 characters)
MAX_TEXT = 300              # any other one-line value: a tissue, an atlas, a gene set's name or search words
MAX_LINK = 4096             # characters of a link's query string
MAX_LIST_CHARS = 200_000    # characters of a pasted gene list (5,000 names of 40 characters)
MAX_SELECTED = 50_000       # genes of a map selection (more than any map holds)
MAX_ROWS = MAX_K            # rows of a table sent back by the browser (the neighbours table's most)
ECHO = 60                   # characters of an unknown value said back in a message
DEFAULT_K = 15              # neighbours listed when k is not given (or not a number)
_PARTIAL_NAME = re.compile(f"[^{SEPARATOR}]*")


def shown(text: str, limit: int = ECHO) -> str:
    """``text`` as said back in a message: at most ``limit`` characters, an ellipsis where it was
    cut (an unknown 10 MB token is not echoed whole)."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def kind(value: object) -> str:
    """What was sent, in words, for a note; never ``str(value)`` (that could be megabytes, or nested
    too deeply to print)."""
    if isinstance(value, str):
        return f"“{shown(value)}”"
    names = {bool: "a true/false value", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), "a value")


def text(value: object, limit: int = MAX_TEXT) -> str | None:
    """A string of at most ``limit`` characters; None for anything else (nothing that long is a valid
    value of these controls, so it is not cut short into one)."""
    return value if isinstance(value, str) and len(value) <= limit else None


def name(value: object) -> str | None:
    """A gene as chosen in a dropdown or typed: a string of at most MAX_NAME characters."""
    return text(value, MAX_NAME)


def choice(value: object, allowed) -> str | None:
    """``value`` if it is one of ``allowed`` (strings), else None."""
    return value if isinstance(value, str) and value in allowed else None


def index(value: object, n: int) -> int | None:
    """An index into ``n`` items (a gene set chosen by its position), else None; true/false is not a
    number here."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < n else None


def ignored(value: object, parsed: object, what: str) -> str:
    """The note for a value sent but not usable (the wrong type, too long); "" when it was used or
    nothing was sent."""
    return "" if value in (None, "") or parsed is not None else f"{kind(value)} is not {what}: ignored."


def _number(value: object) -> float | None:
    """A finite or infinite float for a number or numeric text ("7", "1e400", "Infinity"), NaN for
    NaN, None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if abs(value) < 2 ** 53 else math.inf if value > 0 else -math.inf
    if isinstance(value, float):
        return value
    if isinstance(value, str) and len(value) <= 40:
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def k(value: object, default: int = DEFAULT_K) -> tuple[int, str]:
    """The number of neighbours to list, and a note when what was asked could not be used as is: a
    number outside 1..MAX_K (-5, 10000, inf, 1e400) is brought to the nearest end, a fraction to the
    nearest whole number, anything else (NaN, words, a list) gives ``default``."""
    number = _number(value)
    if number is None or math.isnan(number):
        note = "" if value in (None, "") else f"k = {kind(value)} is not a number: showing {_neighbours(default)}."
        return default, note
    if 1 <= number <= MAX_K:
        whole = math.floor(number + 0.5)
        note = "" if whole == number else f"k = {number:g} is not a whole number: showing {_neighbours(whole)}."
        return whole, note
    nearest = MAX_K if number > MAX_K else 1
    asked = shown(f"{number:.0f}" if math.isfinite(number) and number.is_integer() else f"{number:g}")
    return nearest, f"k = {asked} is out of range (1 to {MAX_K}): showing {_neighbours(nearest)}."


def _neighbours(n: int) -> str:
    return f"{n} neighbour" + ("" if n == 1 else "s")


def link(value: object) -> tuple[str, str]:
    """A link's query string (``?gene=TP53&k=20``), and a note when it could not be read (too long,
    not text): then the link is ignored whole rather than read in part."""
    if value in (None, ""):
        return "", ""
    if isinstance(value, str) and len(value) <= MAX_LINK:
        return value, ""
    size = f" ({len(value):,} characters; at most {MAX_LINK:,})" if isinstance(value, str) else ""
    return "", f"This link could not be read{size}: showing the whole map."


def clicked(click: object) -> str | None:
    """The gene a map click named (its point's ``customdata``), else None."""
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points else None
    return name(first.get("customdata")) if isinstance(first, dict) else None


def node(tapped: object) -> str | None:
    """The gene a click on a network node named (its ``id``), else None."""
    return name(tapped.get("id")) if isinstance(tapped, dict) else None


def table_pick(cell: object, rows: object) -> str | None:
    """The symbol in the table row a click (``active_cell``) chose, else None."""
    row = cell.get("row") if isinstance(cell, dict) else None
    if not isinstance(rows, list) or index(row, min(len(rows), MAX_ROWS)) is None:
        return None
    return name(rows[row].get("symbol")) if isinstance(rows[row], dict) else None


def symbols(value: object, limit: int = MAX_SELECTED) -> tuple[list[str] | None, bool]:
    """A list of gene names (a map selection, the current gene list) of at most ``limit`` names, and
    whether it was cut to that; None for anything but a list. Entries that are not names are dropped."""
    if not isinstance(value, list):
        return None, False
    return [s for s in value[:limit] if name(s) is not None], len(value) > limit


def list_text(value: object) -> tuple[str, bool]:
    """A pasted gene list, at most MAX_LIST_CHARS characters (cut after the last whole name), and
    whether it was cut; "" for anything but text."""
    if not isinstance(value, str):
        return "", False
    if len(value) <= MAX_LIST_CHARS:
        return value, False
    cut = value[:MAX_LIST_CHARS]
    partial = _PARTIAL_NAME.match(cut[::-1]).end()          # the name the cut went through
    return cut[:len(cut) - partial], True
