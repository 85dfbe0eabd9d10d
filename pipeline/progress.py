"""The one progress bar of every long step (tqdm; silent when output is not a terminal), and the
heartbeat that keeps a log (where there are no bars) from going silent while a stage runs."""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterable

log = logging.getLogger("pipeline")


def bar(desc: str, total: int | None = None, unit: str = "it") -> Callable[[Iterable], Iterable]:
    """A ``progress`` argument for the pipeline's stages: wraps an iterable in a transient bar."""
    from tqdm import tqdm

    return lambda it: tqdm(it, desc=desc, total=total, unit=unit, leave=False, dynamic_ncols=True, disable=None)


HEARTBEAT_S = 25.0          # a log line at least this often while a stage runs


@contextmanager
def heartbeat(name: str, every: float | None = None):
    """While a stage runs, "NAME: still running, N s" whenever ``every`` seconds pass with no line
    from the pipeline: a log, unlike a terminal, has no bars, and must not go silent for long."""
    every = HEARTBEAT_S if every is None else every
    started = last = time.monotonic()

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            nonlocal last
            last = time.monotonic()

    seen, stop = Seen(), threading.Event()

    def beat() -> None:
        while not stop.wait(min(1.0, every / 4)):
            if time.monotonic() - last >= every:
                log.info("%s: still running, %.0f s", name, time.monotonic() - started)

    log.addHandler(seen)
    thread = threading.Thread(target=beat, name=f"heartbeat {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        log.removeHandler(seen)
