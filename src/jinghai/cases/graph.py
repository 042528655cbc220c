"""The clue graph (线索关系图) and the networks (团伙) an analyst sees.

Built only over the clues the viewer may see and the links between them, so the graph never
reveals another unit's clue. Identity and phone numbers stay masked on the graph: the
audited way to see one in full is the clue page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from jinghai.accounts.models import User
from jinghai.cases import linking
from jinghai.cases.models import Clue, ClueEntity
from jinghai.cases.queries import get_clue_for, list_links, visible_clues
from jinghai.cases.service import to_link_clue
from jinghai.errors import InvalidInput, NotFound

#: What a graph can centre on, with the label the page shows.
FOCUS_FIELDS = {
    "phone": "电话号码", "id_number": "身份证号", "person_name": "人员姓名",
    "vessel_name": "船名", "mmsi": "MMSI", "vessel_registry": "船舶登记号", "plate": "车牌号",
    "organisation": "单位/公司", "place": "地点",
}
MAX_HOPS = 3
#: A stored entity's kind -> the graph focus it stands for.
ENTITY_FOCUS = {"phone": "phone", "id_number": "id_number", "person": "person_name",
                "vessel": "vessel_name", "mmsi": "mmsi", "vehicle": "plate",
                "organisation": "organisation", "place": "place"}


@dataclass
class Network:
    """A connected group of clues joined by accepted links."""

    clue_ids: tuple[int, ...]
    titles: list[str]


def clue_graph(session: Session, user: User, field: str, value: str, hops: int = 1
               ) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges around one person, phone, vessel… for an ECharts graph.

    Accepted links only: a proposal the analyst has not judged is not yet a relation."""
    if field not in FOCUS_FIELDS:
        raise InvalidInput(f"不支持的关系图中心类型：{field}")
    if not value.strip():
        raise InvalidInput("请填写要查看的号码、姓名或船名")
    if not 1 <= hops <= MAX_HOPS:
        raise InvalidInput(f"扩展层数应为 1–{MAX_HOPS}")
    clues = [to_link_clue(c) for c in visible_clues(session, user)]
    pairs = [(lk.clue_a_id, lk.clue_b_id) for lk in list_links(session, user, status="accepted")]
    return linking.neighbourhood(clues, pairs, field, value.strip(), hops=hops, mask=True)


def clue_networks(session: Session, user: User) -> list[Network]:
    """Every network of two or more clues the user may see, largest first."""
    pairs = [(lk.clue_a_id, lk.clue_b_id) for lk in list_links(session, user, status="accepted")]
    groups = linking.link_groups(pairs)
    titles: dict[int, str] = {}
    for group in groups:
        for cid in group:
            clue = session.get(Clue, cid)
            titles[cid] = (clue.title or clue.content[:30]) if clue else ""
    return [Network(clue_ids=tuple(int(c) for c in g), titles=[titles[c] for c in g])
            for g in groups]


def entity_focus(session: Session, user: User, entity_id: int) -> tuple[str, str]:
    """(field, value) of a stored entity the user may see, so the clue page can open the
    graph around it without the full number ever travelling in a URL."""
    entity = session.get(ClueEntity, entity_id)
    if entity is None or entity.kind not in ENTITY_FOCUS:
        raise NotFound("实体不存在")
    get_clue_for(session, user, entity.clue_id)  # need to know: raises if not visible
    return ENTITY_FOCUS[entity.kind], entity.value
