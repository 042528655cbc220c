"""Cases (线索/串并/立案): clues, their entities and the links between them.

The DB-free core lives here so the web, the CLI and the tests link clues the same way:
:mod:`~jinghai.cases.entities` recognises identifiers in text, :mod:`~jinghai.cases.linking`
proposes links between clues and groups them into networks (团伙).
"""

from jinghai.cases.entities import (
    EntitySpan,
    extract_entities,
    is_valid_id_number,
    normalise_id_number,
    normalise_mmsi,
    normalise_phone,
    normalise_plate,
    normalise_vessel_name,
)
from jinghai.cases.linking import (
    Clue,
    ClueLinker,
    Evidence,
    LinkParams,
    LinkProposal,
    LinkStats,
    Person,
    Vehicle,
    Vessel,
    clue_keys,
    link_groups,
    neighbourhood,
    propose_links,
)

__all__ = [
    "Clue",
    "ClueLinker",
    "EntitySpan",
    "Evidence",
    "LinkParams",
    "LinkProposal",
    "LinkStats",
    "Person",
    "Vehicle",
    "Vessel",
    "clue_keys",
    "extract_entities",
    "is_valid_id_number",
    "link_groups",
    "neighbourhood",
    "normalise_id_number",
    "normalise_mmsi",
    "normalise_phone",
    "normalise_plate",
    "normalise_vessel_name",
    "propose_links",
]
