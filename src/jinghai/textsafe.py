"""Text safe to put in a spreadsheet: the one sanitiser of every xlsx and CSV writer.

Two dangers, both from text people typed (a liaison's comment, a vessel's name):

- control characters (``\\x0b`` pasted from a word processor) are not allowed in an xlsx
  file at all — openpyxl refuses the whole workbook — and garble a CSV;
- text that starts like a formula (``=2+3``, ``=HYPERLINK(...)``, ``+``, ``-``, ``@``) is
  run by the spreadsheet that opens the file (CSV/formula injection).

``clean_text`` removes the control characters (tab and line breaks stay). ``csv_cell``
also neutralises a formula-leading text by prefixing an apostrophe (the OWASP advice: the
spreadsheet shows it as text). ``set_text`` writes an openpyxl cell as a plain string, so a
leading ``=`` is stored as text, never as a formula.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_LEAD", "clean_text", "csv_cell", "csv_row", "set_text", "xlsx_value"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What a spreadsheet reads as the start of a formula (or of a DDE command).
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r", "\n", "＝")


def clean_text(value: str) -> str:
    return _CONTROL.sub("", value)


def _formula_like(text: str) -> bool:
    if not text.startswith(FORMULA_LEAD):
        return False
    # A plain signed number ("-3", "+1.5") is a number, not a formula.
    return not re.fullmatch(r"[+-]\d+(\.\d+)?", text)


def csv_cell(value: Any) -> Any:
    """A CSV cell: text cleaned and neutralised; numbers and None as they are."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if _formula_like(text) else text


def csv_row(values) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_value(value: Any) -> Any:
    """What to hand openpyxl: text cleaned of control characters; other values as is."""
    return clean_text(value) if isinstance(value, str) else value


def set_text(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl cell; text always as a string, never a formula."""
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
