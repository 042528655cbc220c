"""The exports read back: xlsx with openpyxl, PDF with pdftotext, CSV and JSON parsed."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from jinghai.errors import JinghaiError
from jinghai.reporting.compiled import CompiledReport, OpenWarning, UnitStatus
from jinghai.reporting.export_pdf import find_cjk_font, render_pdf
from jinghai.reporting.export_tabular import csv_header, render_csv, render_json
from jinghai.reporting.export_xlsx import CAPTION_ROW, TITLE_ROW, block_rows, render_xlsx
from jinghai.reporting.form import default_form
from jinghai.settings import Settings

OFFICE = '北仑区防范打击非法入境"净海"行动办公室'
CAPTION = "境外疫情海上非法输入防控工作日报表"
DAY = date(2026, 11, 5)


def _value(number: int, decimals: int, offset: int = 0) -> Decimal:
    """Distinct per figure, so a value written into the wrong column is caught."""
    base = Decimal(number * 10 + 7 + offset)
    return base + Decimal("0.25") if decimals else base


def _report(day: date = DAY, offset: int = 0) -> CompiledReport:
    form = default_form()
    values = {f.code: _value(f.number, f.decimals, offset) for f in form.figures}
    cumulative = {code: v * 3 for code, v in values.items()}
    return CompiledReport(
        form=form,
        office_name=OFFICE,
        caption=CAPTION,
        operation_name="净海行动",
        district="北仑区",
        report_date=day,
        values=values,
        cumulative=cumulative,
        warnings=[OpenWarning("北仑边检站", "port_area.inbound_vessels_checked",
                              "数值远高于近14日中位数的4倍，请核对并说明原因", "台风后集中补查")],
        units=[UnitStatus("bj_beilun", "北仑边检站", "port_area", "late")],
    )


def _expected_merges() -> set[str]:
    """Section headers as the form defines them: block 1 海上巡航 B:G, 口岸 H:M, 沿海 N:V,
    船舶管控 W:X; block 2 船舶管控 B:H ... 个案处置 U:X (written out in the next test)."""
    merges = set()
    for index, runs in enumerate(default_form().blocks()):
        head_row = block_rows(index)[0]
        col = 2
        for _, figures in runs:
            end = col + len(figures) - 1
            merges.add(f"{get_column_letter(col)}{head_row}:{get_column_letter(end)}{head_row}")
            col = end + 1
    return merges


def test_xlsx_has_title_date_and_caption():
    sheet = load_workbook(io.BytesIO(render_xlsx(_report()))).active
    row1 = [c.value for c in sheet[TITLE_ROW] if c.value is not None]

    assert row1 == [OFFICE, "日期：2026年11月5日"]
    assert sheet.cell(CAPTION_ROW, 1).value == CAPTION
    assert sheet.cell(TITLE_ROW, 1).font.name == "宋体"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1


def test_xlsx_section_headers_are_merged_over_their_columns():
    sheet = load_workbook(io.BytesIO(render_xlsx(_report()))).active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    top1, top2 = block_rows(0)[0], block_rows(1)[0]
    headers = {
        (sheet.cell(top1, c).value, c) for c in range(2, 25) if sheet.cell(top1, c).value
    } | {(sheet.cell(top2, c).value, c) for c in range(2, 25) if sheet.cell(top2, c).value}

    assert _expected_merges() <= merged
    # The printed form's spans, written out so a change in blocks() cannot hide a shift.
    assert {f"B{top1}:G{top1}", f"H{top1}:M{top1}", f"N{top1}:V{top1}", f"W{top1}:X{top1}",
            f"B{top2}:H{top2}", f"I{top2}:K{top2}", f"L{top2}:P{top2}", f"Q{top2}:T{top2}",
            f"U{top2}:X{top2}"} <= merged
    assert headers == {
        ("海上巡航", 2), ("口岸特定区域监管", 8), ("沿海地区管控", 14), ("船舶管控", 23),
        ("船舶管控", 2), ("出入境监管", 9), ("集中打击", 12), ("反走私", 17), ("个案处置", 21),
    }
    assert [sheet.cell(block_rows(i)[r], 1).value for i in (0, 1) for r in (0, 2)] == [
        "内容", "数量", "内容", "数量"]


def test_xlsx_every_label_and_figure_in_its_column():
    report = _report()
    sheet = load_workbook(io.BytesIO(render_xlsx(report))).active
    seen_labels = []
    seen_values = []
    expected_labels = []
    expected_values = []
    for index, runs in enumerate(report.form.blocks()):
        _, label_row, value_row = block_rows(index)
        col = 2
        for _, figures in runs:
            for fig in figures:
                seen_labels.append(sheet.cell(label_row, col).value)
                cell = sheet.cell(value_row, col)
                seen_values.append((cell.value, type(cell.value).__name__, cell.number_format))
                expected_labels.append(fig.label)
                expected_values.append((
                    float(report.values[fig.code]) if fig.decimals else int(report.values[fig.code]),
                    "float" if fig.decimals else "int",
                    "0." + "0" * fig.decimals if fig.decimals else "0",
                ))
                col += 1

    assert len(seen_values) == 46
    assert seen_labels == expected_labels
    assert seen_values == expected_values
    assert sheet.cell(block_rows(0)[1], 2).alignment.wrap_text is True


def test_xlsx_second_sheet_lists_warnings_and_unit_status():
    workbook = load_workbook(io.BytesIO(render_xlsx(_report())))
    notes = [c.value for row in workbook["说明"].iter_rows() for c in row if c.value]

    assert workbook.sheetnames == ["日报表", "说明"]
    assert {"查验入境船舶（艘）", "台风后集中补查", "北仑边检站", "逾期提交"} <= set(notes)


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_text_reads_back_with_the_font_embedded(tmp_path):
    report = _report()
    data = render_pdf(report)
    text = _pdftotext(data, tmp_path)
    flat = "".join(text.split())
    form = report.form

    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    assert b"WenQuanYi" in data or b"JinghaiCJK" in data
    assert OFFICE in flat
    assert CAPTION in flat
    assert "日期：2026年11月5日" in flat
    assert [s.label for s in form.sections if s.label not in flat] == []
    assert text.count("内容") == 2 and text.count("数量") == 2
    numbers = text.split()
    assert [f.number for f in form.figures if report.display(f) not in numbers] == []
    assert {"17", "37.25", "427.250", "467"} <= set(numbers)


def test_pdf_font_setting_and_missing_font(tmp_path, monkeypatch):
    font = find_cjk_font()
    bogus = tmp_path / "nope.ttf"
    monkeypatch.setenv("JINGHAI_PDF_FONT", str(font))
    from_env = Settings().pdf_font
    monkeypatch.setenv("JINGHAI_PDF_FONT", "")

    assert font.is_file()
    assert (from_env, Settings().pdf_font) == (font, None)
    assert find_cjk_font(from_env) == font
    with pytest.raises(JinghaiError, match="nope.ttf"):
        find_cjk_font(bogus)
    with pytest.raises(JinghaiError, match="nope.ttf"):
        render_pdf(_report(), font_path=bogus)


def test_pdf_without_any_known_font_says_what_to_install(monkeypatch):
    from jinghai.reporting import export_pdf

    monkeypatch.setattr(export_pdf, "KNOWN_FONT_PATHS", (Path("/nonexistent/x.ttc"),))

    with pytest.raises(JinghaiError, match="fonts-wqy-microhei"):
        export_pdf.find_cjk_font()


def test_csv_one_row_per_day_with_bom():
    form = default_form()
    rows = [_report(date(2026, 11, 5)), _report(date(2026, 11, 6), offset=1000)]
    data = render_csv(rows, form)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    area = next(f for f in form.figures if f.decimals)

    assert data.startswith("\ufeff".encode())
    assert table[0] == csv_header(form)
    # 日期, 状态, 46 figures, 8 sections' missing units, 44 typed figures' sources
    assert len(table[0]) == 100 and len(set(table[0])) == 100
    assert table[0][2] == f"{form.sections[0].label}·{form.figures[0].label}"
    assert [r[0] for r in table[1:]] == ["2026-11-05", "2026-11-06"]
    assert [r[1] for r in table[1:]] == ["初稿（未锁定）"] * 2
    assert table[1][2:48] == [rows[0].display(f) for f in form.figures]
    assert table[2][2] == "1017"
    assert table[1][area.number + 1] == f"{_value(area.number, area.decimals):.{area.decimals}f}"


def test_json_figures_and_cumulative_per_day():
    form = default_form()
    rows = [_report(date(2026, 11, 5)), _report(date(2026, 11, 6), offset=1000)]
    days = json.loads(render_json(rows, form))
    area = next(f for f in form.figures if f.decimals)
    first = form.figures[0]

    assert [d["date"] for d in days] == ["2026-11-05", "2026-11-06"]
    assert set(days[0]["figures"]) == {f.code for f in form.figures}
    assert days[0]["figures"][first.code] == 17
    assert days[1]["figures"][first.code] == 1017
    assert days[0]["cumulative"][first.code] == 51
    assert days[0]["figures"][area.code] == float(_value(area.number, area.decimals))
    assert days[0]["locked"] is False
