"""Vessel exclusive codes (船舶专属码): a QR code holding the URL of the vessel's status page.

Error correction level M survives the scuffs and salt spray a card on a wheelhouse gets,
while keeping modules large enough for a cheap phone camera at arm's length.
"""

from __future__ import annotations

import io

import segno


def scan_path(token: str) -> str:
    return f"/v/{token}"


def qr_png(url: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def qr_svg(url: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="svg", scale=scale, border=4,
                                                xmldecl=True, svgns=True)
    return buf.getvalue()
