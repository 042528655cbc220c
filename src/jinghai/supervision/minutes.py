"""Joint-meeting minutes (会商纪要) in the standard's 纪要 format (GB/T 9704-2012, 10.3):
the red "…纪要" mark, the issue number, topics, decisions with who and by when, and the
attending units after a 黑体 "出席"."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jinghai.org.service import get_operation
from jinghai.supervision.gbt9704 import Block, OfficialDocument, cn_date, render_docx
from jinghai.supervision.models import Meeting
from jinghai.supervision.queries import list_problems, meeting_units


def minutes_document(session: Session, user, meeting: Meeting) -> OfficialDocument:
    op = get_operation(session)
    units = meeting_units(session, meeting)
    decisions = list_problems(session, user, kind="action", source="meeting",
                              source_id=meeting.id)
    where = f"在{meeting.place}" if meeting.place else ""
    chair = f"{meeting.chair}" if meeting.chair else "区“净海”行动办公室"
    blocks = [Block("para", f"{cn_date(meeting.held_on)}，{chair}{where}主持召开“净海”行动"
                            f"联席会商会议，{len(units)}家成员单位参加。现将会议议定事项纪要如下：")]
    blocks.append(Block("heading", "一、会商议题"))
    blocks += [Block("para", line.strip()) for line in meeting.topics.splitlines()
               if line.strip()]
    blocks.append(Block("heading", "二、议定事项"))
    if not decisions:
        blocks.append(Block("para", "本次会商无议定事项。"))
    for i, d in enumerate(decisions, start=1):
        blocks.append(Block("para", f"（{i}）{d.title}。由{d.unit.name}负责落实，"
                                    f"{cn_date(d.deadline)}前完成。"))
    blocks.append(Block("blank"))
    blocks.append(Block("attendees", label="出席", text="，".join(u.name for u in units)))
    return OfficialDocument(
        mark=f"{op.short_name}行动联席会商纪要", number=meeting.number,
        title=f"{op.district}“{op.short_name}”行动联席会商会议纪要", blocks=blocks,
        cc=op.reports_to, printer=op.office_name, printed_on=meeting.held_on)


def minutes_docx(session: Session, user, meeting: Meeting) -> bytes:
    return render_docx(minutes_document(session, user, meeting))
