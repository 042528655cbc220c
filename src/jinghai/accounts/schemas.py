"""Inputs of the account verbs (create an account, change one, set a password, sign in),
shared by the admin page, the JSON API and ``jinghai users add``."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator
from zxcvbn import zxcvbn

from jinghai.accounts.models import Role
from jinghai.schemas import Input

MIN_PASSWORD_LENGTH = 8
#: zxcvbn's score (0–4): below 3 the password is among the common ones (its lists hold the
#: leaked-password and dictionary frequencies) or guessable in under ~10^8 tries.
MIN_PASSWORD_SCORE = 3


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with ``password`` for ``username``, in Chinese, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 位"
    if len(password) > 256:
        return "密码不能超过 256 位"
    if username and password.lower() in {username.lower(), username.lower()[::-1]}:
        return "密码不能与用户名相同"
    if zxcvbn(password, user_inputs=[username] if username else [])["score"] < MIN_PASSWORD_SCORE:
        return ("密码过于常见或容易猜到（如 12345678、password、woaini1314），"
                "请使用更长、不常见的组合")
    return None


def _unit(v: Any) -> Any:
    return None if isinstance(v, str) and not v.strip() else v


class UserIn(Input):
    """A new account (add_user); a liaison needs a unit, which the service looks up."""

    username: str = Field(title="用户名")
    password: str = Field(title="密码")
    role: Role = Field(title="角色")
    display_name: str = ""
    unit_key: str | None = None

    @field_validator("username")
    @classmethod
    def _username(cls, v: str) -> str:
        v = v.strip()
        if not v or len(v) > 64:
            raise ValueError("用户名不能为空，且不超过 64 个字符")
        return v

    _blank_unit = field_validator("unit_key", mode="before")(_unit)

    @model_validator(mode="after")
    def _strong(self) -> UserIn:
        problem = password_problem(self.password, self.username)
        if problem:
            raise ValueError(problem)
        return self


class UserPatch(Input):
    """A change to an account (the admin's PATCH): role and unit, active, password."""

    role: Role | None = None
    unit_key: str | None = None
    active: bool | None = None
    password: str | None = None

    _blank_unit = field_validator("unit_key", mode="before")(_unit)


class LoginIn(Input):
    username: str
    password: str


__all__ = ["LoginIn", "UserIn", "UserPatch", "password_problem"]
