"""Roster import from real .xlsx/.csv files: dry-run preview, row-by-row errors, duplicates,
then the real run and the export read back."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import func, select

from jinghai.errors import InvalidInput, PermissionDenied
from jinghai.vessels.models import FishingVessel, VesselOwner
from jinghai.vessels.roster import export_roster, import_roster

HEADING = ["渔船编号", "船名", "船籍港", "MMSI", "北斗终端号", "船长(米)", "总吨位", "状态",
           "船东类型", "船东名称", "联系电话", "身份证号/统一社会信用代码"]
ROWS = [
    ["浙甬渔60001", "浙甬渔60001", "郭巨", 412400001, "BD0001", 32.5, 120, "在册",
     "企业", "宁波北仑海丰渔业有限公司", "057486001234", "91330206MA2AAAAA1X"],
    ["浙甬渔60002", "浙甬渔60002", "梅山", None, "", None, None, "休渔",
     "企业", "宁波北仑海丰渔业有限公司", "057486001234", "91330206MA2AAAAA1X"],
    ["浙甬渔60003", "浙甬渔60003", "白峰", 4124, "", None, None, "",
     "个人", "张三", "13900001111", ""],                       # row 4: bad MMSI
    ["浙甬渔60001", "重复", "穿山", None, "", None, None, "",
     "个人", "李四", "", ""],                                   # row 5: duplicate number
    ["浙甬渔60005", "", "穿山", None, "", None, None, "",
     "合伙", "王五", "", ""],                                   # row 6: no name, bad kind
    ["浙北渔12345", "浙北渔12345", "穿山", 412400002, "", "十二", None, "",
     "个人", "赵六", "13700002222", "330206198001012222"],      # row 7: bad length
    ["浙北渔12346", "浙北渔12346", "穿山", 412400001, "", None, None, "",
     "个人", "赵六", "13700002222", "330206198001012222"],      # row 8: MMSI of row 2
    ["浙北渔12347", "浙北渔12347", "穿山", None, "", 18, 40, "在册",
     "个人", "赵六", "13700002222", "330206198001012222"],
]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADING)
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


def test_dry_run_previews_without_writing(session, agri):
    report = import_roster(session, agri, _xlsx(ROWS), "名录.xlsx", dry_run=True)
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "create"), (3, "create"), (4, "error"), (5, "error"), (6, "error"),
        (7, "error"), (8, "error"), (9, "create")]
    errors = {r.row: r.errors for r in report.errors}
    assert errors == {
        4: ["MMSI 应为 9 位数字: 4124"],
        5: ["渔船编号与第 2 行重复"],
        6: ["船名不能为空", "船东类型应为“企业”或“个人”: 合伙"],
        7: ["船长应为数字: 十二"],
        8: ["MMSI 与第 2 行重复"],
    }
    assert (_count(session, FishingVessel), _count(session, VesselOwner)) == (0, 0)


def test_real_run_applies_good_rows_and_matches_owners(session, agri):
    report = import_roster(session, agri, _xlsx(ROWS), "名录.xlsx", dry_run=False)
    assert (report.created, len(report.errors)) == (3, 5)
    assert _count(session, FishingVessel) == 3
    # The enterprise of rows 2 and 3 is one owner; 赵六 is another.
    assert _count(session, VesselOwner) == 2
    laid_up = session.scalar(select(FishingVessel).where(FishingVessel.registry_no == "浙甬渔60002"))
    assert laid_up.status == "laid_up"

    again = import_roster(session, agri, _xlsx([ROWS[0][:2] + ["梅山"] + ROWS[0][3:]]),
                          "名录.xlsx", dry_run=False)
    assert [(r.row, r.action) for r in again.rows] == [(2, "update")]
    same = import_roster(session, agri, _xlsx([ROWS[0][:2] + ["梅山"] + ROWS[0][3:]]),
                         "名录.xlsx", dry_run=False)
    assert [(r.row, r.action) for r in same.rows] == [(2, "unchanged")]


def test_export_reads_back_and_masks_for_others(session, agri, make_liaison):
    import_roster(session, agri, _xlsx(ROWS), "名录.xlsx", dry_run=False)
    ws = openpyxl.load_workbook(BytesIO(export_roster(session, agri, "xlsx"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADING
    assert [r[0] for r in rows[1:]] == ["浙北渔12347", "浙甬渔60001", "浙甬渔60002"]
    assert rows[2][3] == "412400001" and rows[2][10] == "057486001234"

    police = make_liaison("police")
    text = export_roster(session, police, "csv").decode("utf-8-sig")
    assert "057486001234" not in text and "057*****1234" in text
    # The export is itself an importable roster.
    report = import_roster(session, agri, export_roster(session, agri, "csv"), "x.csv",
                           dry_run=True)
    assert {r.action for r in report.rows} == {"unchanged"}


def test_missing_columns_and_wrong_users_are_refused(session, agri, make_liaison):
    with pytest.raises(InvalidInput, match="船东类型"):
        import_roster(session, agri, "渔船编号,船名,船东名称\n1,2,3\n".encode(), "a.csv")
    with pytest.raises(InvalidInput, match=".xlsx"):
        import_roster(session, agri, b"x", "a.xls")
    with pytest.raises(PermissionDenied):
        import_roster(session, make_liaison("police"), _xlsx(ROWS), "a.xlsx")
