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

    def __init__(self, window: float = 30.0, prune_every: int = 50_000,
                 max_entries: int = 200_000) -> None:
        self.window = window
        self.prune_every = prune_every
        # Without receiver times (a file with no timestamps) every message falls in the
        # window of "now": memory (and the checkpoint) is bounded by dropping the oldest.
        self.max_entries = max_entries
        self._seen: dict[str, float] = {}
        self._latest = float("-inf")
        self._next_prune = prune_every

    def first_time(self, key: str, ts: float) -> bool:
        """True if ``key`` was not seen within the window before ``ts`` (and remember it)."""
        self._latest = max(self._latest, ts)
        seen = self._seen.get(key)
        if seen is not None and abs(ts - seen) <= self.window:
            return False
        self._seen[key] = ts
        if len(self._seen) >= self._next_prune:
            self.prune()
        return True

    def first_times(self, keys: list[str], times: list[float]) -> list[bool]:
        """:meth:`first_time` for each key in order (the same answers and state), in one
        tight loop: the ingestor's runs of position reports."""
        seen, window, latest = self._seen, self.window, self._latest
        out: list[bool] = []
        append = out.append
        for key, ts in zip(keys, times, strict=True):
            if ts > latest:  # noqa: PLR1730 - max() costs a call per message here
                latest = ts
            before = seen.get(key)
            if before is not None and abs(ts - before) <= window:
                append(False)
                continue
            seen[key] = ts
            append(True)
            if len(seen) >= self._next_prune:
                self._latest = latest
                self.prune()
                seen = self._seen
        self._latest = latest
        return out

    def prune(self) -> None:
        cutoff = self._latest - self.window
        self._seen = {k: t for k, t in self._seen.items() if t >= cutoff}
        if len(self._seen) > self.max_entries:
            newest = sorted(self._seen.items(), key=lambda kv: (kv[1], kv[0]))
            self._seen = dict(newest[-(self.max_entries // 2):])
        # a busy window may hold more than prune_every: wait for it to double, not O(n²)
        self._next_prune = max(self.prune_every, 2 * len(self._seen))

    def state(self) -> dict:
        """What a checkpoint keeps so that a restart de-duplicates like one clean run."""
        self.prune()
        return {"latest": self._latest, "seen": dict(self._seen)}

    def restore(self, state: dict) -> None:
        self._seen = dict(state["seen"])
        self._latest = state["latest"]
        self._next_prune = max(self.prune_every, 2 * len(self._seen))
