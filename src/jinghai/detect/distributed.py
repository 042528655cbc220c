"""Batch detection on a Dask distributed cluster: the tasks of :mod:`.partition`, submitted
as futures (each partition a chain of day tasks, partitions side by side).

``scheduler`` is an address (``tcp://host:8786``, ``JINGHAI_DASK_SCHEDULER``) or a
``distributed.Client``. The workers read the Parquet store themselves, so its path must be
the same on every worker (a shared file system); the task descriptions carry only the
path, never the positions.
"""

from __future__ import annotations

from typing import Any

from jinghai.detect.events import Event
from jinghai.detect.partition import Plan, feed_day, finish, merge, start_state


def run_dask(p: Plan, scheduler: Any) -> tuple[dict[str, list[Event]], int]:
    from distributed import Client

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        suite = client.scatter(p.suite_bytes, broadcast=True)
        finals, counts = [], []
        for chain in p.chains:
            if not chain:
                continue
            part = chain[0].part
            state = client.submit(start_state, part, suite, pure=False)
            for task in chain:
                out = client.submit(feed_day, task, state, pure=False)
                state = client.submit(_first, out, pure=False)
                if part.counts_positions:
                    counts.append(client.submit(_second, out, pure=False))
            finals.append(client.submit(finish, part, state, pure=False))
        results = client.gather(finals)
        positions = sum(client.gather(counts))
    finally:
        if own:
            client.close()
    return merge(results, p.names), positions


def _first(pair: tuple) -> Any:
    return pair[0]


def _second(pair: tuple) -> Any:
    return pair[1]
