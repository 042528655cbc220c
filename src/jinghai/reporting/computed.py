"""The seam through which records feed the daily report.

A domain that can count a figure from its own records (patrol logs, vessel roster, cases,
alerts…) registers a counter for the figure's code. The entry form shows the counted value
beside the typed one; a typed value that differs is an override and needs a reason.

    @register_counter("vessel_control.fishing_vessels")
    def count_fishing_vessels(session, unit, day): ...

Counters live in ``jinghai.<domain>.counters`` modules. The domains that count sit above
reporting, so reporting never imports them: the root module ``jinghai.wiring`` does, once,
at each entry point (app start, CLI, demo, tests), and then calls :func:`counters_loaded`.
Asking for a counted value before that is an error, not a silently empty form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from jinghai.org.models import Unit

Counter = Callable[[Session, Unit, date], Decimal | int | None]

_COUNTERS: dict[str, Counter] = {}
_LOADED = False
#: A count no form column can hold (see ``validation.ABSURD``): a broken record, not a count.
_ABSURD = Decimal(10) ** 11
log = logging.getLogger(__name__)


def register_counter(code: str) -> Callable[[Counter], Counter]:
    def wrap(fn: Counter) -> Counter:
        old = _COUNTERS.get(code)
        if old is not None and (old.__module__, old.__qualname__) != (fn.__module__,
                                                                       fn.__qualname__):
            raise RuntimeError(f"counter {code} registered twice: {old.__module__} and "
                               f"{fn.__module__}")
        _COUNTERS[code] = fn
        return fn

    return wrap


def counters_loaded() -> None:
    """Called by ``jinghai.wiring.load_counters`` once every domain's counters are imported."""
    global _LOADED
    _LOADED = True


def _require_loaded() -> None:
    if not _LOADED:
        raise RuntimeError("counters are not loaded: the entry point must call "
                           "jinghai.wiring.load_counters() first")


def counted_figures() -> set[str]:
    """Codes (``section.key``) of every figure the system counts from records."""
    _require_loaded()
    return set(_COUNTERS)


def computed_values(session: Session, unit: Unit, section: str, day: date) -> dict[str, Decimal]:
    """Values the system counts itself for ``unit``'s ``section`` on ``day``, by figure key."""
    _require_loaded()
    out: dict[str, Decimal] = {}
    prefix = f"{section}."
    for code, fn in _COUNTERS.items():
        if code.startswith(prefix):
            try:
                value = fn(session, unit, day)
                counted = None if value is None else Decimal(str(value))
            except ArithmeticError:  # a record with an impossible number (e.g. inf tonnes)
                log.warning("counter %s gave no number for %s on %s", code, unit.key, day)
                continue
            if counted is not None and counted.is_finite() and abs(counted) < _ABSURD:
                out[code[len(prefix):]] = counted
            elif counted is not None:
                log.warning("counter %s gave %s for %s on %s; not offered", code, counted,
                            unit.key, day)
    return out
