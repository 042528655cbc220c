"""The shared input seam: a validator's Chinese message is what a person sees, whichever
door (form, CLI, JSON) the input came through, and the input itself is never echoed."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import Field, ValidationError, field_validator

from jinghai.cases.schemas import SeizureIn
from jinghai.errors import InvalidInput
from jinghai.schemas import Input, message_of, parse, written_message


class _Thing(Input):
    name: str
    count: int = Field(default=0, title="数量")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("请填写名称")
        return v


def test_parse_returns_the_model_and_passes_a_model_through() -> None:
    thing = parse(_Thing, {"name": "船", "count": "3", "unknown": "ignored"})
    assert thing.model_dump() == {"name": "船", "count": 3}
    assert parse(_Thing, thing) is thing


def test_a_validators_message_is_the_message() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(_Thing, {"name": "  ", "count": "x"})
    assert refused.value.message == "请填写名称"
    assert [e["loc"] for e in refused.value.details] == [["name"], ["count"]]


def test_other_errors_name_the_field_not_the_input() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(_Thing, {"name": "船", "count": "<script>"})
    assert refused.value.message == "数量：应为整数"
    with pytest.raises(InvalidInput, match="name：必须填写"):
        parse(_Thing, {})


def test_written_message_reads_fastapis_errors_too() -> None:
    with pytest.raises(ValidationError) as exc:
        SeizureIn.model_validate({"category": "sugar", "day": date(2026, 11, 5),
                                  "tonnes": "-1"})
    errors = exc.value.errors()
    assert written_message(errors) == "数量和吨数不能为负"
    assert written_message([{"type": "missing", "loc": ("body", "day")}]) is None
    assert message_of([{"type": "missing", "loc": ("body", "day")}], SeizureIn) == "day：必须填写"
