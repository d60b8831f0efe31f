"""The serving process's heap, once start-up is done."""

from __future__ import annotations

import gc


def freeze_start_up() -> None:
    """What start-up built (modules, config, templates, the ORM's mappings) lives as long as
    the process: moved out of the collector's sight, so that a full collection walks what
    requests made, not all of it, and no request waits tens of milliseconds for one. Once per
    serving process (`warroom run`, `warroom web`), not per server: a process that starts
    many servers (the tests) would walk its whole heap each time."""
    gc.collect()  # garbage frozen would never be freed
    gc.freeze()
