"""The vessel registry: fishing vessels and their owners, three-no vessels, inspections and
the vessels' exclusive codes (船舶专属码)."""

from jinghai.vessels.roster import export_roster, import_roster
from jinghai.vessels.service import (
    add_owner,
    add_vessel,
    advance_three_no,
    record_inspection,
    record_three_no,
    regenerate_qr_token,
    set_vessel_status,
    update_owner,
    update_vessel,
)

__all__ = [
    "add_owner",
    "add_vessel",
    "advance_three_no",
    "export_roster",
    "import_roster",
    "record_inspection",
    "record_three_no",
    "regenerate_qr_token",
    "set_vessel_status",
    "update_owner",
    "update_vessel",
]
