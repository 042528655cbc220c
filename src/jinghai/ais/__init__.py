"""AIS: decoding NMEA, the position store, static data and the quarantine.

Lines go through :class:`~jinghai.ais.ingest.Ingestor` (framing in :mod:`.nmea`, decoding in
:mod:`.fastpath` and :mod:`.decode`, de-dup in :mod:`.dedup`) into the Parquet
:class:`~jinghai.ais.store.PositionStore`; sources are in :mod:`.sources`.
"""

from jinghai.ais.ingest import Ingestor, IngestStats
from jinghai.ais.schema import POSITION_SCHEMA
from jinghai.ais.store import PositionStore

__all__ = ["POSITION_SCHEMA", "IngestStats", "Ingestor", "PositionStore"]
