"""Who may use the platform, and how they are signed in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jinghai.db import Base, UTCDateTime, utcnow
from jinghai.org.models import Unit


class Role(StrEnum):
    """Roles from the operation's working rules.

    office  — 专班办公室 staff: everything about the daily report (compile, lock, remind)
    liaison — a unit's 联络员: enters and submits only their own unit's sections
    viewer  — leaders and observers: read only
    admin   — manages users and roles
    """

    OFFICE = "office"
    LIAISON = "liaison"
    VIEWER = "viewer"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.OFFICE: "专班办公室",
    Role.LIAISON: "单位联络员",
    Role.VIEWER: "领导/查看",
    Role.ADMIN: "系统管理员",
}


class User(Base):
    """A person with a login. Liaisons belong to the unit whose sections they fill."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role_enum]


class UserSession(Base):
    """A cookie session. Only a hash of the token is stored, so a leaked table opens nothing."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """Failed and successful logins, for throttling by username and by address."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
