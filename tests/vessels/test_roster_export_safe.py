"""Issue 8: a vessel name typed as a formula, or with a control character, exports from the
roster as plain text (CSV: apostrophe-prefixed; xlsx: a string cell, never a formula)."""

from __future__ import annotations

import csv
import io
from io import BytesIO

import openpyxl

from jinghai.vessels.roster import export_roster, import_roster

HEADING = ["渔船编号", "船名", "船籍港", "MMSI", "北斗终端号", "船长(米)", "总吨位", "状态",
           "船东类型", "船东名称", "联系电话", "身份证号/统一社会信用代码"]
HOSTILE = '=HYPERLINK("http://example.invalid","点我")'


def _csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADING, *rows])
    return buf.getvalue().encode("utf-8")


def test_formula_and_control_character_in_names_export_as_text(session, agri):
    rows = [["浙甬渔70001", HOSTILE, "郭巨", None, "", None, None, "在册",
             "个人", "+SUM(1,2)\x0b张三", "13900001111", ""]]
    import_roster(session, agri, _csv(rows), "名录.csv", dry_run=False)

    table = list(csv.reader(io.StringIO(export_roster(session, agri, "csv").decode("utf-8-sig"))))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["船名"] == "'" + HOSTILE
    assert row["船东名称"].startswith("'+SUM(1,2)") and "\x0b" not in row["船东名称"]

    ws = openpyxl.load_workbook(BytesIO(export_roster(session, agri, "xlsx"))).active
    name = ws.cell(2, 2)
    assert (name.value, name.data_type) == (HOSTILE, "s")
    assert "\x0b" not in ws.cell(2, 10).value and ws.cell(2, 10).data_type == "s"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
