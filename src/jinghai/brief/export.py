"""The leader's brief as ``.docx`` and PDF, on the same GB/T 9704 page as circulars (the
office's mark and red line, 3号 body, page numbers), so it prints like the office's other
papers."""

from __future__ import annotations

from pathlib import Path

from jinghai.brief.queries import Brief
from jinghai.supervision.gbt9704 import Block, OfficialDocument, cn_date, render_docx, render_pdf
from jinghai.supervision.records import fmt


def brief_document(b: Brief) -> OfficialDocument:
    blocks = [Block("heading", "一、主要数据"),
              Block("table", rows=[["项目", "当日", "前一日", "较前一日", "近7日日均"]] + [
                  [f"{f.label}（{f.unit}）", fmt(f.today), fmt(f.yesterday), f.change,
                   fmt(f.week_avg)] for f in b.figures]),
              Block("heading", "二、报送情况"),
              Block("para", f"应报{b.slots_total}项，已报{b.slots_submitted}项，完成率"
                            f"{b.completeness}。"
                            + (f"迟报单位：{'、'.join(b.late_units)}。" if b.late_units else "")
                            + (f"未报单位：{'、'.join(b.missing_units)}。" if b.missing_units
                               else "无未报单位。")),
              Block("heading", "三、预警与案事件"),
              Block("para", f"未关闭红色预警{len(b.red_alerts)}条"
                            + ("：" + "；".join(t for _, t in b.red_alerts[:5]) if b.red_alerts
                               else "") + "。"),
              Block("para", f"当日新增线索{b.new_clues}条，立案{b.new_cases}起，个案{b.incidents}起"
                            f"（{b.incident_persons}人），查获登记{b.seizures}次。"),
              Block("heading", "四、逾期整改"),
              ]
    if b.overdue:
        blocks += [Block("para", f"{unit}：{item}（逾期{days}天）。") for unit, item, days in b.overdue]
    else:
        blocks.append(Block("para", "无逾期整改事项。"))
    blocks.append(Block("heading", "五、未按期巡查的登陆点"))
    if b.unpatrolled:
        blocks += [Block("para", f"{name}（{sub}）：{unpatrolled_text(since, required)}。")
                   for name, sub, since, required in b.unpatrolled]
    else:
        blocks.append(Block("para", "各登陆点均已按期巡查。"))
    return OfficialDocument(mark=b.office_name, title=f"“净海”行动领导日报（{cn_date(b.day)}）",
                            blocks=blocks, signature=b.office_name, written_on=b.day)


def unpatrolled_text(days_since: int | None, required_days: int) -> str:
    if days_since is None:
        return f"从未巡查（要求每{required_days}天至少一次）"
    return f"已{days_since}天未巡查（要求每{required_days}天至少一次）"


def brief_docx(b: Brief) -> bytes:
    return render_docx(brief_document(b))


def brief_pdf(b: Brief, *, font: Path | None = None, fallback_font: Path | None = None
              ) -> bytes:
    """The brief as PDF; the fonts are the ``doc_font`` and ``pdf_font`` settings."""
    return render_pdf(brief_document(b), font, fallback_font=fallback_font)
