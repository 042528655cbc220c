"""What every domain's ``schemas.py`` shares: the base of an input model and the one way a
validation failure becomes a Chinese message.

A domain's input model checks what can be checked without the database (kinds, bounds,
lengths) and says what to fix in Chinese by raising ``ValueError`` from its validators; the
service checks the rest (permissions, existence, the unit's defaults). A form or the CLI
builds the model with :func:`parse` and gets ``InvalidInput``; a JSON route declares the
model as its body and the web's validation handler reads the same message with
:func:`message_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator

from jinghai.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

_GENERIC = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DDTHH:MM",
    "datetime_type": "时间格式应为 YYYY-MM-DDTHH:MM",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "string_type": "应为文字",
    "bool_parsing": "应为是或否",
    "list_type": "应为列表",
    "too_long": "项数太多",
    "too_short": "至少填写一项",
    "string_pattern_mismatch": "不在可选范围内",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "literal_error": "不在可选范围内",
    "enum": "不在可选范围内",
}


class Input(BaseModel):
    """Base of the input models: unknown fields are ignored, as the web models did."""


class StrippedInput(Input):
    """An input whose text fields are stripped of surrounding spaces before validation."""

    model_config = {"str_strip_whitespace": True}


def choice(field: str, allowed: Iterable[Any], message: str | Callable[[Any], str], *,
           mode: Literal["before", "after"] = "after") -> Any:
    """A validator for a field that must be one of ``allowed``; ``message`` (or
    ``message(value)``) is the Chinese error. Use as a class attribute:
    ``_kind = choice("kind", KINDS, "类型不在可选范围内")``."""
    options = frozenset(allowed)

    def check(cls: type, v: Any) -> Any:
        try:
            known = v in options
        except TypeError:  # an unhashable value (a list, a dict) before type checks
            known = False
        if not known:
            raise ValueError(message(v) if callable(message) else message)
        return v

    return field_validator(field, mode=mode)(check)


def text_field(max_length: int, title: str, required: bool = True) -> Any:
    """A text field with its Chinese title (the one an error message names)."""
    if required:
        return Field(min_length=1, max_length=max_length, title=title)
    return Field(default="", max_length=max_length, title=title)


def written_message(errors: list[Any]) -> str | None:
    """The first message a validator wrote (in Chinese, for a person), if any."""
    for e in errors:
        if e.get("type") == "value_error":
            return str(e.get("msg", "")).removeprefix("Value error, ")
    return None


def _label(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """The field's path in titles: ``发现问题·第1项·发现问题`` for a nested list item."""
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
        inner = getattr(field.annotation, "__args__", None)
        current = inner[0] if inner else field.annotation
    return "·".join(labels)


def message_of(errors: list[Any], model: type[BaseModel] | None = None) -> str | None:
    """The message to show for pydantic ``errors``: the first one a validator wrote in
    Chinese as it is, else the field's title (or name) and what is wrong with it. Never the
    input itself: it may be long, binary or hostile."""
    written = written_message(errors)
    if written is not None:
        return written
    if not errors:
        return None
    first = errors[0]
    loc = tuple(p for p in first.get("loc", ()) if p != "body")
    if model is not None:
        label = _label(model, loc)
    else:
        names = [str(p) for p in loc if not isinstance(p, int)]
        label = names[-1] if names else ""
    what = _GENERIC.get(first.get("type", ""), "格式有误")
    return f"{label}：{what}" if label else f"内容{what}"


def parse(model: type[M], data: Any) -> M:
    """``model`` from untrusted data (a form, CLI options), or ``InvalidInput`` with the
    message a person can act on."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        raise InvalidInput(message_of(errors, model) or "提交的内容格式有误",
                           details=[{"loc": list(e.get("loc", ())), "type": e.get("type")}
                                    for e in errors]) from None


__all__ = ["Input", "StrippedInput", "choice", "message_of", "parse", "text_field",
           "written_message"]
