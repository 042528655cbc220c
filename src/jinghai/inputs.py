"""What every domain's ``schemas.py`` shares: the base of an input model, a text field with
its Chinese title, and :func:`parse`, which turns a validation failure into one Chinese
message (``InvalidInput``) that names the field and what to fix.

A root utility like ``errors`` and ``db``: it imports no domain, so any domain may use it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from jinghai.errors import InvalidInput

__all__ = ["Input", "parse", "text_field"]

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "必须填写",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "literal_error": "不在可选范围内",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "too_short": "至少填写一项",
    "too_long": "项数太多",
    "bool_parsing": "应为是或否",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DDTHH:MM",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM",
    "string_pattern_mismatch": "不在可选范围内",
}


def _label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    labels = []
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            labels.append(f"第{part + 1}项")
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            labels.append(str(part))
            continue
        labels.append(field.title or str(part))
        ann = field.annotation
        inner = getattr(ann, "__args__", None)
        current = inner[0] if inner else ann
    return "·".join(labels)


def parse(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = _MESSAGES.get(err["type"])
        if msg is None:
            raw = str(err.get("msg", ""))
            msg = raw.removeprefix("Value error, ") if err["type"] == "value_error" else "格式有误"
        raise InvalidInput(f"{_label(model, tuple(err['loc']))}：{msg}") from None


def text_field(max_length: int, title: str, required: bool = True):
    if required:
        return Field(min_length=1, max_length=max_length, title=title)
    return Field(default="", max_length=max_length, title=title)


class Input(BaseModel):
    model_config = {"str_strip_whitespace": True}
