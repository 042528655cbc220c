"""The position schema shared by the store, the ingestor and its listeners (the AIS contract)."""

from __future__ import annotations

import pyarrow as pa

#: One row per de-duplicated position report. ``receivers`` lists (comma-joined) the source
#: ids that heard the message; sog/cog are null when AIS says "not available".
POSITION_SCHEMA = pa.schema([
    pa.field("mmsi", pa.int64(), nullable=False),
    pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("lon", pa.float64(), nullable=False),
    pa.field("lat", pa.float64(), nullable=False),
    pa.field("sog", pa.float32()),
    pa.field("cog", pa.float32()),
    pa.field("heading", pa.int16()),
    pa.field("nav_status", pa.int8()),
    pa.field("msg_type", pa.int8()),
    pa.field("receivers", pa.string()),
])


def empty_positions() -> pa.Table:
    return POSITION_SCHEMA.empty_table()
