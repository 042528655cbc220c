"""Clue linking (线索串并): propose which clues are about the same people, vessels or events.

An analyst accepts or rejects every proposal, so the linker's job is to miss little and to
say plainly why it proposes a pair: each :class:`LinkProposal` lists its
:class:`Evidence` (field, the value in each clue, method, strength) and a total score.

Evidence comes in three kinds:

* **exact** — the same normalised phone, ID number, MMSI, plate, vessel registry number,
  vessel name, person name, organisation or place, whether typed in a structured field or
  recognised in the clue's text (:mod:`jinghai.cases.entities`);
* **fuzzy** — person names (王小明 / 王晓明) and vessel names with a one-character typo
  (浙象渔12345 / 浙象渔12354), scored with rapidfuzz; a fuzzy match is dropped when both
  sides carry a contradicting identifier (two different ID numbers, two different MMSIs);
* **proximity** — both clues within ``max_km`` and ``max_hours`` of each other.

Per field the strongest evidence counts; fields combine as independent evidence
(noisy-OR, ``1 − Π(1 − sᵢ)``), so two weak signals make a stronger one but never exceed 1.

Blocking keeps this far from O(n²): clues are only compared if they share a key in an
inverted index — the normalised value for exact fields; for fuzzy names the *deletion
neighbourhood* (the name with any one character removed, as SymSpell does: two strings one
substitution, insertion, deletion or adjacent swap apart always share one); for Latin
names, their tokens; for proximity a grid of ``max_km`` cells × ``max_hours`` buckets
(neighbouring cells only). A key shared by more than ``max_block_size`` clues (the office
hotline, a common place name) is a hub: it is skipped and reported in :class:`LinkStats`
instead of making thousands of pairs.

Output order is deterministic: by score (high first), then by clue id.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz

from jinghai.cases.entities import (
    PROVINCES,
    extract_entities,
    normalise_id_number,
    normalise_mmsi,
    normalise_phone,
    normalise_plate,
    normalise_vessel_name,
    to_halfwidth,
)
from jinghai.geo.metric import haversine_m
from jinghai.masking import mask_value

__all__ = [
    "Clue",
    "ClueLinker",
    "Evidence",
    "Key",
    "LinkParams",
    "LinkProposal",
    "LinkStats",
    "Person",
    "Vehicle",
    "Vessel",
    "clue_keys",
    "link_groups",
    "neighbourhood",
    "propose_links",
]

ClueId = int | str


# --- input ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A person a clue mentions; any field may be empty (tip-offs rarely have ID numbers)."""

    name: str = ""
    id_number: str = ""
    nationality: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Vessel:
    """A vessel a clue mentions: name as written, MMSI, registry number (船舶登记号)."""

    name: str = ""
    mmsi: str = ""
    registry_number: str = ""


@dataclass(frozen=True)
class Vehicle:
    """A vehicle (landing parties move people and goods inland by road)."""

    plate: str


@dataclass(frozen=True)
class Clue:
    """A clue as the linker sees it: plain values, so it can be built from an ORM row, a
    form or a test without a database."""

    id: ClueId
    time: datetime | None = None
    lon: float | None = None
    lat: float | None = None
    text: str = ""
    persons: tuple[Person, ...] = ()
    vessels: tuple[Vessel, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    organisations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True, order=True)
class Key:
    """One normalised identifier of a clue. ``guard`` is an identifier of the same entity
    (a person's ID number, a vessel's MMSI) that can veto a fuzzy match."""

    field: str
    value: str
    raw: str
    source: str
    guard: str = ""


# --- parameters ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkParams:
    """Strengths (0–1) and thresholds. The strengths say how likely a shared value means
    the same person, vessel or event; they are starting points to be tuned with the
    analysts' accept/reject decisions, not measured rates."""

    id_number: float = 1.0
    """A valid resident ID is one person by construction (check digit verified)."""
    mmsi: float = 0.95
    """One MMSI per vessel, but MMSIs are spoofed and reused by small fishing boats."""
    vessel_registry: float = 0.95
    """Registry numbers are unique; below 1 only for typing errors in registration."""
    phone: float = 0.9
    """A phone number is shared by a family or passed between gang members — still one
    network, which is what 串并 looks for."""
    plate: float = 0.85
    """Plates are unique but cloned plates (套牌) occur in smuggling."""
    vessel_name: float = 0.85
    """Registry-style names (浙象渔12345, 省+港+渔+编号) are unique by registration."""
    vessel_free_name: float = 0.5
    """Free names (“海星”号, “Ocean Star”) repeat across ports and flags."""
    person_name: float = 0.4
    """The same name alone is weak: 王伟 is shared by hundreds of thousands of people."""
    organisation: float = 0.3
    """The same employer or shipping company: context, not identity."""
    place: float = 0.2
    """The same named place: weakest; a pier name appears in many unrelated clues."""

    person_name_min_score: float = 0.65
    """rapidfuzz ratio/100 to accept a fuzzy name. One character off in a three-character
    Chinese name (王小明/王晓明, a homophone typed by ear) scores 0.667; a two-character
    name with a different given name (张伟/张玮) scores 0.5 and is not proposed. Without
    pinyin the score cannot tell 王晓明 (homophone) from 王大明 (another person): both are
    proposed, weakly, and the analyst decides."""
    person_name_fuzzy_weight: float = 0.5
    """Fuzzy name strength = weight × score, below an exact name (0.4 at score 0.8)."""
    vessel_name_min_score: float = 0.85
    """One wrong character in an 8-character name (浙象渔12345/浙象渔12354) scores 0.875."""
    vessel_name_fuzzy_weight: float = 0.7
    """Below the exact name: a one-digit difference may be a typo *or* the next hull
    number of the same owner — the analyst checks the registry."""

    max_km: float = 5.0
    """Distance for proximity (km): a landing and its pick-up are within a few km."""
    max_hours: float = 6.0
    """Time window for proximity (hours): one night's operation."""
    proximity: float = 0.6
    """Strength of two clues at the same place and time; it falls linearly to half at
    ``max_km`` / ``max_hours`` (whichever is nearer its limit)."""

    min_score: float = 0.3
    """Total score needed to propose a pair; keeps place-only coincidences out."""
    max_block_size: int = 50
    """A key shared by more clues than this is a hub (hotline, 宁波) and is skipped."""


# --- output ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Evidence:
    """Why two clues are linked: which field matched, the value in each clue, how."""

    field: str
    method: str  # "exact" | "fuzzy" | "proximity"
    value_a: str
    value_b: str
    strength: float
    note: str = ""

    def explain(self, mask: bool = True) -> str:
        """One line for the analyst, e.g. ``phone exact: 138****5678 ~ +86 138****5678
        (0.90)``. ID and phone numbers are masked unless the caller may see them (need to
        know; the caller logs the unmasked view)."""
        a, b, note = self.value_a, self.value_b, self.note
        if mask and self.field in ("phone", "id_number"):
            a, b, note = _mask_digits(a), _mask_digits(b), _mask_digits(note)
        tail = f"; {note}" if note else ""
        return f"{self.field} {self.method}: {a} ~ {b} ({self.strength:.2f}{tail})"


@dataclass(frozen=True)
class LinkProposal:
    """A proposed link between clues ``a`` and ``b`` (``a`` sorts first)."""

    a: ClueId
    b: ClueId
    score: float
    evidence: tuple[Evidence, ...]

    @property
    def pair(self) -> tuple[ClueId, ClueId]:
        return (self.a, self.b)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(e.field for e in self.evidence)

    def explain(self, mask: bool = True) -> str:
        return "; ".join(e.explain(mask) for e in self.evidence)


@dataclass
class LinkStats:
    """What blocking did, for benchmarks and for the analyst's "why not linked?"."""

    clues: int = 0
    candidate_pairs: int = 0
    """Pairs with any evidence, before ``min_score``."""
    fuzzy_comparisons: int = 0
    """rapidfuzz calls made; blocking keeps this near the number of true near-duplicates."""
    proximity_comparisons: int = 0
    """Distance/time checks made between clues in neighbouring grid cells."""
    hub_keys: list[tuple[str, str, int]] = field(default_factory=list)


# --- keys -----------------------------------------------------------------------------------

def _mask_digits(text: str) -> str:
    """Hide the digits of every phone and ID number in ``text`` but the first three and last
    four of the number itself, keeping prefixes and separators as written:
    ``+86 138-1234-5678`` → ``+86 138-****-5678``."""
    t = to_halfwidth(text)
    out = list(t)
    for span in extract_entities(t):
        if span.kind in ("phone", "landline", "id_number"):
            idx = [i for i in range(span.start, span.end) if t[i].isdigit() or t[i] in "Xx"]
            for i in idx[-len(span.value.replace("-", "")):][3:-4]:
                out[i] = "*"
    return "".join(out)


_REGISTRY_NAME = re.compile(
    rf"[{PROVINCES}][\u4e00-\u9fff]{{1,2}}?(渔运|渔冷|渔辅|渔|货|油|运|客|拖)\d{{3,6}}")


def _utc_hours(t: datetime) -> float:
    """Hours since the epoch; naive times (SQLite rows) are taken as UTC, as stored."""
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp() / 3600.0


_TEXT_FIELD = {"phone": "phone", "landline": "phone", "id_number": "id_number",
               "plate": "plate", "mmsi": "mmsi", "vessel_name": "vessel_name"}


def _id_order(cid: ClueId) -> tuple[int, int, str]:
    return (0, cid, "") if isinstance(cid, int) else (1, 0, str(cid))


def _name_key(name: str) -> str:
    """Half-width, upper case; Chinese names without spaces or middle dots (阿卜杜·拉 =
    阿卜杜拉), Latin names with single spaces so their tokens survive for blocking."""
    v = re.sub(r"\s+", " ", re.sub(r"[·•.\-]", " ", to_halfwidth(name))).strip().upper()
    return v.replace(" ", "") if _is_cjk(v) else v


def _registry_key(number: str) -> str:
    return re.sub(r"[\s\-]", "", to_halfwidth(number)).upper()


def _is_cjk(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def clue_keys(clue: Clue) -> list[Key]:
    """Every normalised identifier of a clue, from its structured entities and its text."""
    keys: list[Key] = []
    for p in clue.persons:
        pid = normalise_id_number(p.id_number) if p.id_number else None
        if p.name.strip():
            keys.append(Key("person_name", _name_key(p.name), p.name, "person", pid or ""))
        if pid:
            keys.append(Key("id_number", pid, p.id_number, "person"))
        if p.phone.strip():
            phone = normalise_phone(p.phone)
            if phone:
                keys.append(Key("phone", phone, p.phone, "person"))
    for v in clue.vessels:
        mmsi = normalise_mmsi(v.mmsi) if v.mmsi else None
        if v.name.strip():
            keys.append(Key("vessel_name", normalise_vessel_name(v.name), v.name, "vessel",
                            mmsi or ""))
        if mmsi:
            keys.append(Key("mmsi", mmsi, v.mmsi, "vessel"))
        if v.registry_number.strip():
            keys.append(Key("vessel_registry", _registry_key(v.registry_number),
                            v.registry_number, "vessel"))
    for h in clue.vehicles:
        plate = normalise_plate(h.plate)
        if plate:
            keys.append(Key("plate", plate, h.plate, "vehicle"))
    for o in clue.organisations:
        if o.strip():
            keys.append(Key("organisation", _name_key(o), o, "organisation"))
    for pl in clue.places:
        if pl.strip():
            keys.append(Key("place", _name_key(pl), pl, "place"))
    for span in extract_entities(clue.text):
        keys.append(Key(_TEXT_FIELD[span.kind], span.value, span.raw, "text"))
    # One key per (field, value): the first spelling, structured fields before text.
    seen: dict[tuple[str, str], Key] = {}
    for k in keys:
        seen.setdefault((k.field, k.value), k)
    return list(seen.values())


def _deletions(s: str) -> set[str]:
    """``s`` and every string with one character removed (the deletion neighbourhood)."""
    return {s} | {s[:i] + s[i + 1:] for i in range(len(s))}


def _fuzzy_blocks(field_: str, value: str) -> set[str]:
    if field_ == "person_name" and not _is_cjk(value):
        tokens = re.findall(r"[A-Z]{3,}", value)
        return {"t:" + t for t in tokens} or {"v:" + value}
    if len(value) > 24:  # not a name; only an exact match will do
        return {"v:" + value}
    return {"d:" + d for d in _deletions(value) if d}


def _fuzzy_score(field_: str, a: str, b: str) -> float:
    if field_ == "person_name" and not (_is_cjk(a) or _is_cjk(b)):
        return fuzz.token_sort_ratio(a, b) / 100.0
    return fuzz.ratio(a, b) / 100.0


# --- the linker ------------------------------------------------------------------------------

class ClueLinker:
    """``ClueLinker(params).run(clues)`` → link proposals, best first (see module doc)."""

    EXACT_FIELDS = ("id_number", "mmsi", "vessel_registry", "phone", "plate", "vessel_name",
                    "person_name", "organisation", "place")
    FUZZY_FIELDS = ("person_name", "vessel_name")

    def __init__(self, params: LinkParams | None = None) -> None:
        self.params = params or LinkParams()
        self.stats = LinkStats()

    def run(self, clues: Iterable[Clue]) -> list[LinkProposal]:
        clue_list = sorted(clues, key=lambda c: _id_order(c.id))
        self.stats = LinkStats(clues=len(clue_list))
        keys = {c.id: clue_keys(c) for c in clue_list}
        evidence: dict[tuple[ClueId, ClueId], dict[str, Evidence]] = defaultdict(dict)

        def add(a: ClueId, b: ClueId, ev: Evidence) -> None:
            if _id_order(b) < _id_order(a):
                a, b = b, a
                ev = Evidence(ev.field, ev.method, ev.value_b, ev.value_a, ev.strength, ev.note)
            best = evidence[(a, b)].get(ev.field)
            if best is None or ev.strength > best.strength:
                evidence[(a, b)][ev.field] = ev

        self._exact(keys, add)
        self._fuzzy(keys, add)
        self._proximity(clue_list, add)
        self.stats.candidate_pairs = len(evidence)

        proposals = []
        for (a, b), by_field in evidence.items():
            score = 1.0 - math.prod(1.0 - e.strength for e in by_field.values())
            if score + 1e-9 < self.params.min_score:
                continue
            evs = tuple(sorted(by_field.values(),
                               key=lambda e: (-e.strength, e.field, e.value_a, e.value_b)))
            proposals.append(LinkProposal(a, b, round(score, 4), evs))
        proposals.sort(key=lambda p: (-p.score, _id_order(p.a), _id_order(p.b)))
        return proposals

    def _blocks(self, index: Mapping[tuple[str, str], list[tuple[ClueId, Key]]]
                ) -> Iterator[list[tuple[ClueId, Key]]]:
        for (field_, value), members in sorted(index.items()):
            clue_ids = {cid for cid, _ in members}
            if len(clue_ids) < 2:
                continue
            if len(clue_ids) > self.params.max_block_size:
                self.stats.hub_keys.append((field_, value, len(clue_ids)))
                continue
            yield members

    def _exact(self, keys: Mapping[ClueId, list[Key]], add: Any) -> None:
        index: dict[tuple[str, str], list[tuple[ClueId, Key]]] = defaultdict(list)
        for cid, ks in keys.items():
            for k in ks:
                index[(k.field, k.value)].append((cid, k))
        for members in self._blocks(index):
            for (ca, ka), (cb, kb) in combinations(members, 2):
                if ca == cb:
                    continue
                strength = getattr(self.params, ka.field)
                if ka.field == "vessel_name" and not _REGISTRY_NAME.fullmatch(ka.value):
                    strength = self.params.vessel_free_name
                add(ca, cb, Evidence(ka.field, "exact", ka.raw, kb.raw, strength,
                                     f"both normalise to {ka.value}"))

    def _fuzzy(self, keys: Mapping[ClueId, list[Key]], add: Any) -> None:
        p = self.params
        index: dict[tuple[str, str], list[tuple[ClueId, Key]]] = defaultdict(list)
        for cid, ks in keys.items():
            for k in ks:
                if k.field in self.FUZZY_FIELDS:
                    for block in _fuzzy_blocks(k.field, k.value):
                        index[(k.field, block)].append((cid, k))
        done: set[tuple[ClueId, Key, ClueId, Key]] = set()
        for members in self._blocks(index):
            for (ca, ka), (cb, kb) in combinations(members, 2):
                if ca == cb or ka.value == kb.value or (ca, ka, cb, kb) in done:
                    continue
                done.add((ca, ka, cb, kb))
                if ka.guard and kb.guard and ka.guard != kb.guard:
                    continue  # two different ID numbers / MMSIs: not the same entity
                self.stats.fuzzy_comparisons += 1
                score = _fuzzy_score(ka.field, ka.value, kb.value)
                if ka.field == "person_name":
                    if score < p.person_name_min_score:
                        continue
                    strength = p.person_name_fuzzy_weight * score
                else:
                    if score < p.vessel_name_min_score:
                        continue
                    strength = p.vessel_name_fuzzy_weight * score
                add(ca, cb, Evidence(ka.field, "fuzzy", ka.raw, kb.raw, round(strength, 4),
                                     f"rapidfuzz {score:.2f}"))

    def _proximity(self, clues: list[Clue], add: Any) -> None:
        p = self.params
        placed = [c for c in clues if c.time is not None and c.lon is not None
                  and c.lat is not None]
        if not placed:
            return
        # Cells at least max_km wide everywhere: one longitude width, taken at the latitude
        # farthest from the equator (per-clue widths would shift cell indices and miss pairs).
        cell_lat = p.max_km / 110.0
        widest = max(abs(c.lat) for c in placed if c.lat is not None)
        cell_lon = cell_lat / max(math.cos(math.radians(widest)), 0.05)
        cells: dict[tuple[int, int, int], list[Clue]] = defaultdict(list)

        def cell(c: Clue) -> tuple[int, int, int]:
            assert c.time is not None and c.lon is not None and c.lat is not None
            return (math.floor(_utc_hours(c.time) / p.max_hours),
                    math.floor(c.lat / cell_lat), math.floor(c.lon / cell_lon))

        for c in placed:
            cells[cell(c)].append(c)
        for a in placed:
            t, y, x = cell(a)
            for dt in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        for b in cells.get((t + dt, y + dy, x + dx), ()):
                            if _id_order(b.id) <= _id_order(a.id):
                                continue
                            self._near(a, b, add)

    def _near(self, a: Clue, b: Clue, add: Any) -> None:
        p = self.params
        assert a.time and b.time and a.lon is not None and b.lon is not None
        self.stats.proximity_comparisons += 1
        km = float(haversine_m(a.lon, a.lat, b.lon, b.lat)) / 1000.0
        hours = abs(_utc_hours(a.time) - _utc_hours(b.time))
        if km > p.max_km or hours > p.max_hours:
            return
        closeness = 1.0 - 0.5 * max(km / p.max_km, hours / p.max_hours)
        add(a.id, b.id, Evidence(
            "time_place", "proximity", f"{a.time.isoformat()} ({a.lon:.4f}, {a.lat:.4f})",
            f"{b.time.isoformat()} ({b.lon:.4f}, {b.lat:.4f})",
            round(p.proximity * closeness, 4), f"{km:.1f} km, {hours:.1f} h apart"))


def propose_links(clues: Iterable[Clue], params: LinkParams | None = None
                  ) -> list[LinkProposal]:
    """Shorthand for ``ClueLinker(params).run(clues)``."""
    return ClueLinker(params).run(clues)


# --- networks (团伙) --------------------------------------------------------------------------

def _pairs(links: Iterable[LinkProposal | tuple[ClueId, ClueId]]
           ) -> list[tuple[ClueId, ClueId]]:
    return [(x.a, x.b) if isinstance(x, LinkProposal) else (x[0], x[1]) for x in links]


def link_groups(links: Iterable[LinkProposal | tuple[ClueId, ClueId]]
                ) -> list[tuple[ClueId, ...]]:
    """Connected groups of clues (networks, 团伙) from *accepted* links, by union-find.

    Groups are sorted internally by clue id, then largest first; singletons are omitted
    (a clue with no accepted link is not a network)."""
    parent: dict[ClueId, ClueId] = {}

    def find(x: ClueId) -> ClueId:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _pairs(links):
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb), key=_id_order)
            parent[hi] = lo
    groups: dict[ClueId, list[ClueId]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    out = [tuple(sorted(g, key=_id_order)) for g in groups.values() if len(g) > 1]
    return sorted(out, key=lambda g: (-len(g), _id_order(g[0])))


# --- neighbourhood graph ------------------------------------------------------------------

_CATEGORY = {"person_name": "person", "id_number": "person", "phone": "phone",
             "vessel_name": "vessel", "mmsi": "vessel", "vessel_registry": "vessel",
             "plate": "vehicle", "organisation": "organisation", "place": "place"}
CATEGORIES = ("clue", "person", "phone", "vessel", "vehicle", "organisation", "place")


def _mask(field_: str, value: str) -> str:
    """ID and phone numbers are masked on screens (need to know), by the one masker."""
    return mask_value(field_, value)


def _focus_key(field_: str, value: str) -> tuple[str, str]:
    norm = {"phone": normalise_phone, "id_number": normalise_id_number, "plate": normalise_plate,
            "mmsi": normalise_mmsi, "vessel_name": normalise_vessel_name,
            "vessel_registry": _registry_key}.get(field_, _name_key)(value)
    return (field_, norm or value)


def neighbourhood(clues: Iterable[Clue], links: Iterable[LinkProposal | tuple[ClueId, ClueId]],
                  field_: str, value: str, *, hops: int = 1, mask: bool = True
                  ) -> dict[str, list[dict[str, Any]]]:
    """The graph around one person or vessel, for an ECharts ``graph`` series.

    ``field_``/``value`` name the focus (``"phone"``, ``"id_number"``, ``"person_name"``,
    ``"vessel_name"``, ``"mmsi"``, ``"plate"``), normalised as the linker does. The clues
    mentioning it, the clues up to ``hops`` links away, and every entity of those clues
    become nodes; edges are "mentions" (clue–entity) and the links (clue–clue, with their
    score). Node ids are opaque (``c0``, ``e0``) so masked values do not leak through ids.
    Returns ``{"nodes": [...], "edges": [...], "categories": [...]}``.
    """
    links = list(links)
    by_id = {c.id: c for c in clues}
    keys = {cid: clue_keys(c) for cid, c in by_id.items()}
    focus = _focus_key(field_, value)
    pairs = [(a, b) for a, b in _pairs(links) if a in by_id and b in by_id]
    scores = {(x.a, x.b): x.score for x in links if isinstance(x, LinkProposal)}
    adjacent: dict[ClueId, set[ClueId]] = defaultdict(set)
    for a, b in pairs:
        adjacent[a].add(b)
        adjacent[b].add(a)

    frontier = {cid for cid, ks in keys.items() if any((k.field, k.value) == focus for k in ks)}
    seen = set(frontier)
    for _ in range(hops):
        frontier = {n for c in frontier for n in adjacent[c]} - seen
        seen |= frontier
    in_graph = sorted(seen, key=_id_order)

    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    clue_node = {cid: f"c{i}" for i, cid in enumerate(in_graph)}
    for cid in in_graph:
        c = by_id[cid]
        nodes.append({"id": clue_node[cid], "name": f"线索 {cid}", "category": 0,
                      "clue_id": cid, "focus": False,
                      "time": c.time.isoformat() if c.time else None})
    entity_node: dict[tuple[str, str], str] = {}
    for cid in in_graph:
        for k in sorted(keys[cid], key=lambda k: (k.field, k.value)):
            fk = (k.field, k.value)
            if fk not in entity_node:
                entity_node[fk] = f"e{len(entity_node)}"
                label = _mask(k.field, k.value) if mask else k.value
                nodes.append({"id": entity_node[fk], "name": label, "field": k.field,
                              "category": CATEGORIES.index(_CATEGORY[k.field]),
                              "focus": fk == focus})
            edges.append({"source": clue_node[cid], "target": entity_node[fk],
                          "kind": "mentions", "label": k.field})
    for a, b in sorted({tuple(sorted(p, key=_id_order)) for p in pairs},
                       key=lambda p: (_id_order(p[0]), _id_order(p[1]))):
        if a in clue_node and b in clue_node:
            edges.append({"source": clue_node[a], "target": clue_node[b], "kind": "link",
                          "value": scores.get((a, b), scores.get((b, a)))})
    return {"nodes": nodes, "edges": edges, "categories": [{"name": n} for n in CATEGORIES]}
