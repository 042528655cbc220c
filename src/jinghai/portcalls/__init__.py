"""Owners' entry and exit reports of fishing vessels (进出港报告): models, service, import."""

from jinghai.portcalls.schemas import PortReportIn
from jinghai.portcalls.service import (
    file_owner_report,
    file_port_report,
    import_port_reports,
    issue_owner_link,
    revoke_owner_link,
)

__all__ = [
    "PortReportIn",
    "file_owner_report",
    "file_port_report",
    "import_port_reports",
    "issue_owner_link",
    "revoke_owner_link",
]
