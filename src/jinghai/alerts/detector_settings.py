"""Detector parameters the office tunes from the settings page.

The server's ``detector_params`` setting gives the starting point; what the office saves
here overrides it, field by field, and is audited. Only plain numbers and switches are
editable on the page (distances, durations, speeds, thresholds); structured parameters such
as per-zone tables stay in the settings and on the zones themselves.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jinghai.accounts.access import require_office
from jinghai.accounts.models import User
from jinghai.alerts.models import DetectorSetting
from jinghai.audit.service import record
from jinghai.db import utcnow
from jinghai.detect.registry import DETECTORS, default_params, param_specs
from jinghai.errors import InvalidInput

SCALARS = (bool, int, float)


def _defaults() -> dict[str, Any]:
    return default_params()


def editable_fields(params: Any) -> dict[str, type]:
    """The fields of a params dataclass that hold a plain number or switch."""
    return {f.name: type(getattr(params, f.name)) for f in dataclasses.fields(params)
            if type(getattr(params, f.name)) in SCALARS}


def stored_overrides(session: Session) -> dict[str, dict[str, Any]]:
    return {row.name: dict(row.params or {}) for row in session.scalars(select(DetectorSetting))}


def effective_overrides(session: Session, settings: Any = None) -> dict[str, dict[str, Any]]:
    """Settings first, then what the office saved (it wins), per field."""
    merged: dict[str, dict[str, Any]] = {
        k: dict(v) for k, v in (getattr(settings, "detector_params", None) or {}).items()}
    for name, fields in stored_overrides(session).items():
        merged.setdefault(name, {}).update(fields)
    return merged


def detector_params(overrides: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """Params dataclasses from overrides (``{name: {field: value}}``, as the settings and
    the office give them); unknown names or fields are an error, so a typo in the settings
    is not silently ignored."""
    defaults = default_params()
    out: dict[str, Any] = {}
    for name, fields in (overrides or {}).items():
        if name not in defaults:
            raise InvalidInput(f"detector_params: unknown detector {name!r}")
        base = defaults[name]
        known = {f.name for f in dataclasses.fields(base)}
        bad = set(fields) - known
        if bad:
            raise InvalidInput(f"detector_params.{name}: unknown fields {sorted(bad)}")
        out[name] = dataclasses.replace(base, **fields)
    return out


def _show(value: Any, unit: str = "") -> str:
    """A parameter value as the office reads it (Chinese, with its unit)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        text = f"{value:g}" if isinstance(value, float) else str(value)
        if unit == "秒" and value >= 60:
            mins = value / 60
            whole_hours = mins >= 60 and mins % 60 == 0
            text += f"（{mins / 60:g} 小时）" if whole_hours else f"（{mins:g} 分钟）"
        return text
    if isinstance(value, (set, frozenset)):
        return "、".join(str(v) for v in sorted(value)) or "无"
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items()) or "无"
    if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
        return f"{len(value)} 条规则"
    return str(value)


def settings_rows(session: Session, settings: Any = None) -> list[dict[str, Any]]:
    """Every detector with every parameter as the settings page shows it: Chinese name,
    current and default value with the unit, what it means and where the default comes
    from (all declared by the detectors, see ``jinghai.detect.registry``)."""
    effective = detector_params(effective_overrides(session, settings))
    out = []
    for name, det in DETECTORS.items():
        default = det.Params()
        current = effective.get(name, default)
        editable = editable_fields(default)
        fields = []
        for spec in param_specs(type(default)):
            d, c = spec.default, getattr(current, spec.name)
            fields.append({"name": spec.name, "label": spec.label, "unit": spec.unit,
                           "meaning": spec.meaning, "source": spec.source,
                           "default": _show(d, spec.unit),
                           "value": (f"{c:g}" if isinstance(c, float) else c)
                           if spec.name in editable else _show(c, spec.unit),
                           "shown": _show(c, spec.unit), "raw": c,
                           "editable": spec.name in editable,
                           "kind": editable[spec.name].__name__ if spec.name in editable else "",
                           "changed": d != c})
        out.append({"name": name, "label": det.label, "version": det.version,
                     "kinds": list(det.kinds.values()),
                     "doc": (det.__doc__ or "").strip().split("\n\n")[0], "fields": fields})
    return out


def settings_version(session: Session) -> Any:
    """Changes when the office saves or resets any detector: the live runner compares it."""
    return session.scalar(select(func.max(DetectorSetting.updated_at)))


def _parse(kind: type, raw: object, label: str) -> bool | int | float:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "on", "yes", "是"):
            return True
        if text in ("0", "false", "off", "no", "否", ""):
            return False
        raise InvalidInput(f"“{label}”应为是或否")
    try:
        value = float(str(raw).strip())
    except ValueError as exc:
        raise InvalidInput(f"“{label}”必须是数字") from exc
    if not math.isfinite(value) or value < 0:
        raise InvalidInput(f"“{label}”应为不小于 0 的数")
    if kind is int:
        if value != int(value):
            raise InvalidInput(f"“{label}”必须是整数")
        return int(value)
    return value


def save_detector_params(session: Session, user: User, name: str,
                         values: dict[str, object], settings: Any = None) -> dict[str, Any]:
    """Store the office's values for ``name``. Only fields that differ from what the server
    settings (or the defaults) give are kept, so a later change there still reaches the
    fields the office left alone."""
    require_office(user)
    defaults = _defaults()
    if name not in defaults:
        raise InvalidInput(f"没有名为 {name} 的检测器")
    fields = editable_fields(defaults[name])
    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidInput(f"不能在页面上修改这些参数：{', '.join(sorted(unknown))}")
    labels = {spec.name: spec.label for spec in param_specs(type(defaults[name]))}
    parsed = {k: _parse(fields[k], v, labels.get(k, k)) for k, v in values.items()}
    try:
        dataclasses.replace(defaults[name], **parsed)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"参数不合理：{exc}") from exc
    configured = (getattr(settings, "detector_params", None) or {}).get(name, {})
    base = dataclasses.replace(defaults[name], **{k: v for k, v in configured.items()
                                                   if k in fields})
    kept = {k: v for k, v in parsed.items() if v != getattr(base, k)}
    row = session.get(DetectorSetting, name)
    old = dict(row.params) if row else {}
    if row is None:
        row = DetectorSetting(name=name)
        session.add(row)
    row.params, row.updated_by_id, row.updated_at = kept, user.id, utcnow()
    session.flush()
    for key in sorted(set(old) | set(kept)):
        if old.get(key) != kept.get(key):
            record(session, user, "set", "detector", name, field=key,
                   old=old.get(key), new=kept.get(key, getattr(base, key)))
    return kept


def reset_detector_params(session: Session, user: User, name: str) -> None:
    """Back to the server's settings and the defaults."""
    require_office(user)
    row = session.get(DetectorSetting, name)
    if row is None:
        return
    record(session, user, "reset", "detector", name, old=str(row.params), new="")
    row.params, row.updated_by_id, row.updated_at = {}, user.id, utcnow()
    session.flush()
