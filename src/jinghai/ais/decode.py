"""Decoding of whole messages with pyais, and the plausibility rules for what we keep.

Position reports of types 1, 2, 3 and 18 take the vectorised :mod:`jinghai.ais.fastpath`;
everything else (static and voyage data 5, 24, class-B extended 19, aids to navigation 21,
long-range 27, and the rest) goes through pyais here. This never raises: a payload pyais
cannot decode becomes a :class:`~jinghai.ais.quarantine.Reason`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pyais.bit_vector import bit_vector
from pyais.messages import MSG_CLASS

from jinghai.ais.quarantine import Reason

#: Types whose positions are stored; 1-3 and 18 normally take the fast path.
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
#: Types that carry static or voyage data about a vessel (names, dimensions, destination).
STATIC_TYPES = frozenset({5, 19, 21, 24})
#: Bits a message type needs before its position fields are complete.
MIN_BITS = {1: 143, 2: 143, 3: 143, 18: 139, 19: 312, 27: 96}


def message_type(payload: str) -> int:
    c = ord(payload[0]) - 48
    return c - 8 if c > 40 else c


@dataclass(slots=True)
class Decoded:
    msg_type: int
    fields: dict[str, Any]
    bits: Any = None  # pyais bit vector, for raw fields pyais maps to enums

    def raw(self, start: int, width: int) -> int | None:
        try:
            return int(self.bits.get(start, width))
        except Exception:  # noqa: BLE001 - a short payload
            return None


#: Where the ship type sits (bit offset) per message type; pyais turns the reserved and
#: undefined codes (e.g. 38) into 0 "not available", gpsd keeps them, and so do we.
_SHIP_TYPE_BIT = {5: 232, 19: 263}
_SHIP_TYPE_24B = 40


def decode_payload(payload: str, fill: int) -> Decoded | Reason:
    """pyais' decoding of one whole message, or why it could not be decoded."""
    msg_type = message_type(payload)
    if not 1 <= msg_type <= 27:
        return Reason.UNSUPPORTED_TYPE
    if len(payload) * 6 - fill < MIN_BITS.get(msg_type, 38):
        return Reason.TRUNCATED
    try:
        bits = bit_vector(payload.encode("ascii"), fill)
        fields = MSG_CLASS[msg_type].from_vector(bits).asdict()
    except Exception:  # noqa: BLE001 - any pyais failure is a property of the input
        return Reason.UNDECODABLE
    return Decoded(msg_type, fields, bits)


def position_problem(mmsi: int, lon: float, lat: float) -> Reason | None | bool:
    """Judge a position: None if fine, False if "not available" (91/181), else a Reason.

    AIS encodes "no position" as longitude 181 and latitude 91 together; one of them alone,
    or a value beyond them, cannot come from a working transponder."""
    if mmsi <= 0:
        return Reason.IMPOSSIBLE_VALUE
    if lat == 91 and lon == 181:
        return False
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Reason.IMPOSSIBLE_VALUE
    return None


def position_row(d: Decoded) -> dict[str, Any] | None:
    """The stored columns of a pyais-decoded type 19 or 27 (types 1-3/18 also work)."""
    f = d.fields
    if f.get("lon") is None or f.get("lat") is None:
        return None
    if d.msg_type == 27:  # knots and degrees as integers; 63 and 511 = not available
        sog = None if f["speed"] is None or f["speed"] >= 63 else float(f["speed"])
        cog = None if f["course"] is None or f["course"] >= 360 else float(f["course"])
        heading = 511
        status = int(f.get("status") or 15)
    else:
        sog = None if f.get("speed") is None or f["speed"] >= 102.3 else float(f["speed"])
        cog = None if f.get("course") is None or f["course"] >= 360 else float(f["course"])
        heading = f.get("heading")
        heading = 511 if heading is None or heading >= 360 else int(heading)
        status = int(f["status"]) if d.msg_type in (1, 2, 3) else 15
    return {"mmsi": int(f["mmsi"]), "lon": float(f["lon"]), "lat": float(f["lat"]),
            "sog": sog, "cog": cog, "heading": heading, "nav_status": status,
            "msg_type": d.msg_type}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).replace("@", " ").strip()
    return text or None


def _dims(f: dict[str, Any]) -> dict[str, int | None]:
    bow, stern = f.get("to_bow"), f.get("to_stern")
    port, starboard = f.get("to_port"), f.get("to_starboard")
    length = bow + stern if bow is not None and stern is not None else None
    beam = port + starboard if port is not None and starboard is not None else None
    return {"length": length or None, "beam": beam or None}


def static_fields(d: Decoded) -> dict[str, Any]:
    """Vessel facts carried by types 5, 19, 21 and 24 (only the fields present)."""
    f, t = d.fields, d.msg_type
    out: dict[str, Any] = {}
    if t == 5:
        out = {"name": _text(f.get("shipname")), "callsign": _text(f.get("callsign")),
               "imo": f.get("imo") or None, "ship_type": d.raw(_SHIP_TYPE_BIT[5], 8) or None,
               "destination": _text(f.get("destination")), **_dims(f)}
    elif t == 19:
        out = {"name": _text(f.get("shipname")), "ship_type": d.raw(_SHIP_TYPE_BIT[19], 8) or None,
               **_dims(f)}
    elif t == 21:
        out = {"name": _text(f"{f.get('name') or ''}{f.get('name_ext') or ''}")}
    elif t == 24:
        if f.get("partno") == 0:
            out = {"name": _text(f.get("shipname"))}
        else:
            out = {"callsign": _text(f.get("callsign")),
                   "ship_type": d.raw(_SHIP_TYPE_24B, 8) or None,
                   **_dims(f)}
    return {k: v for k, v in out.items() if v is not None}


def _int(value: Any) -> int | None:
    try:
        return None if value is None or (isinstance(value, float) and math.isnan(value)) \
            else int(value)
    except (TypeError, ValueError):
        return None
