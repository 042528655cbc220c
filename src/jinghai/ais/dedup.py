"""One message heard by several receivers is stored once.

Two copies of a message have the same payload; a transmission's payload carries its MMSI,
position and a SOTDMA/ITDMA communication state that changes from slot to slot, so equal
payloads within a short window (30 s of receiver time by default) are the same
transmission heard twice. Receiver clocks differ by a few seconds at most; a repeated
static message (type 5 every 6 minutes) falls outside the window and is kept.
"""

from __future__ import annotations


class Deduper:
    """Remembers payloads for ``window`` seconds of message time."""

    def __init__(self, window: float = 30.0, prune_every: int = 50_000) -> None:
        self.window = window
        self.prune_every = prune_every
        self._seen: dict[str, float] = {}
        self._latest = float("-inf")

    def first_time(self, key: str, ts: float) -> bool:
        """True if ``key`` was not seen within the window before ``ts`` (and remember it)."""
        self._latest = max(self._latest, ts)
        seen = self._seen.get(key)
        if seen is not None and abs(ts - seen) <= self.window:
            return False
        self._seen[key] = ts
        if len(self._seen) >= self.prune_every:
            self.prune()
        return True

    def prune(self) -> None:
        cutoff = self._latest - self.window
        self._seen = {k: t for k, t in self._seen.items() if t >= cutoff}

    def state(self) -> dict[str, float]:
        """What a checkpoint keeps so that a restart de-duplicates like one clean run."""
        self.prune()
        return dict(self._seen)

    def restore(self, state: dict[str, float]) -> None:
        self._seen = dict(state)
        self._latest = max(self._seen.values(), default=float("-inf"))
