"""Case numbers stay unique when two users open cases at the same moment (PostgreSQL, where
writers really run side by side; SQLite serialises writers with its database lock)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from jinghai.accounts.models import Role, User
from jinghai.accounts.schemas import UserIn
from jinghai.accounts.service import add_user
from jinghai.cases import service
from jinghai.cases.models import Case
from jinghai.cases.schemas import CaseIn, ClueIn
from jinghai.db import make_engine, make_session_factory, session_scope
from jinghai.migrate import upgrade
from jinghai.org.service import init_operation
from jinghai.org.template import load_template


def test_concurrent_cases_get_distinct_numbers(fresh_database_url):
    engine = make_engine(fresh_database_url("postgresql"))
    upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        init_operation(s, load_template())
        police = add_user(s, None, UserIn(username="police1", password="correct-horse-9",
                                          role=Role.LIAISON, unit_key="police"))
        clue_ids = [service.create_clue(s, police, ClueIn(source_kind="analyst",
                                                          content=f"线索{i}")).id
                    for i in range(2)]

    first, second = factory(), factory()
    user_1 = first.scalar(select(User).where(User.username == "police1"))
    user_2 = second.scalar(select(User).where(User.username == "police1"))
    # holds JH…-0001
    case_1 = service.open_case(first, user_1, CaseIn(title="案一", clue_ids=[clue_ids[0]]))
    outcome: dict = {}

    def open_second() -> None:
        try:
            outcome["case"] = service.open_case(second, user_2,
                                                CaseIn(title="案二", clue_ids=[clue_ids[1]]))
            second.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc

    worker = threading.Thread(target=open_second)
    worker.start()
    time.sleep(0.5)  # the second insert now waits on the first's uncommitted number
    first.commit()
    worker.join(timeout=20)
    assert "error" not in outcome, outcome.get("error")
    assert case_1.number.endswith("-0001")
    assert outcome["case"].number.endswith("-0002")
    with session_scope(factory) as s:
        assert sorted(s.scalars(select(Case.number))) == [case_1.number, outcome["case"].number]
    first.close()
    second.close()
    engine.dispose()


def test_numbers_follow_the_highest_not_the_count(session, make_liaison):
    police = make_liaison("police", "police9")
    c = service.create_clue(session, police, ClueIn(source_kind="analyst", content="线索"))
    case = service.open_case(session, police, CaseIn(title="案一", clue_ids=[c.id]))
    year = case.number[2:6]
    case.number = f"JH{year}-0007"  # e.g. numbers carried over from the paper register
    session.flush()
    c2 = service.create_clue(session, police, ClueIn(source_kind="analyst", content="线索2"))
    case_2 = service.open_case(session, police, CaseIn(title="案二", clue_ids=[c2.id]))
    assert case_2.number == f"JH{year}-0008"

