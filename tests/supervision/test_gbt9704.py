"""The GB/T 9704 page in the PDF: a full page holds 22 lines of 28 characters."""

from __future__ import annotations

import subprocess
from datetime import date

from jinghai.supervision.gbt9704 import Block, OfficialDocument, cn_date, render_pdf


def test_pdf_page_holds_22_lines_of_28_characters(tmp_path):
    doc = OfficialDocument(mark="办公室", title="标题", blocks=[Block("para", "正文" * 1000)])
    path = tmp_path / "d.pdf"
    path.write_bytes(render_pdf(doc))
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    lines = [line.replace(" ", "") for line in page2.splitlines() if "正" in line]
    assert len(lines) == 22
    assert {len(line) for line in lines} == {28}
    assert "— 2 —" in page2


def test_dates_are_written_in_full_in_arabic_numerals():
    assert cn_date(date(2026, 1, 5)) == "2026年1月5日"
