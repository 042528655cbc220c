"""Roster files: import a fishing-vessel roster from .xlsx/.csv, export it back.

Import is strict per row but tolerant per file: a bad row is listed with its row number and
what to fix, and the good rows still go in. A dry run does the very same work inside a
savepoint and rolls it back, so the preview says exactly what a real run would do.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jinghai.accounts.models import User
from jinghai.errors import InvalidInput, JinghaiError
from jinghai.schemas import parse
from jinghai.textsafe import csv_row, set_text
from jinghai.vessels.access import can_see_contacts, require_reader, require_registry_keeper
from jinghai.vessels.masking import mask_id, mask_phone
from jinghai.vessels.models import VESSEL_STATUS_LABELS, FishingVessel, VesselStatus
from jinghai.vessels.schemas import OwnerIn, VesselIn, VesselPatch
from jinghai.vessels.service import add_vessel, find_or_add_owner, update_vessel

MAX_ROWS = 20000

# Column headings as rosters from the fisheries bureau write them, and our own export's.
HEADERS: dict[str, str] = {
    "渔船编号": "registry_no", "船舶登记号": "registry_no", "登记号": "registry_no",
    "船舶编号": "registry_no", "registry_no": "registry_no",
    "船名": "name", "船舶名称": "name", "name": "name",
    "船籍港": "home_port", "船籍港/母港": "home_port", "母港": "home_port",
    "home_port": "home_port",
    "mmsi": "mmsi", "MMSI": "mmsi", "水上移动通信业务标识码": "mmsi",
    "北斗终端号": "beidou_no", "北斗号": "beidou_no", "北斗终端": "beidou_no",
    "beidou_no": "beidou_no",
    "船长(米)": "length_m", "船长（米）": "length_m", "船长": "length_m", "length_m": "length_m",
    "总吨位": "tonnage", "总吨": "tonnage", "tonnage": "tonnage",
    "状态": "status", "status": "status",
    "船东类型": "owner_kind", "owner_kind": "owner_kind",
    "船东": "owner_name", "船东名称": "owner_name", "船东姓名/企业名称": "owner_name",
    "owner_name": "owner_name",
    "联系电话": "owner_phone", "船东电话": "owner_phone", "owner_phone": "owner_phone",
    "证件号码": "owner_id_code", "身份证号/统一社会信用代码": "owner_id_code",
    "统一社会信用代码": "owner_id_code", "身份证号": "owner_id_code",
    "owner_id_code": "owner_id_code",
}
EXPORT_COLUMNS = [
    ("registry_no", "渔船编号"), ("name", "船名"), ("home_port", "船籍港"), ("mmsi", "MMSI"),
    ("beidou_no", "北斗终端号"), ("length_m", "船长(米)"), ("tonnage", "总吨位"),
    ("status", "状态"), ("owner_kind", "船东类型"), ("owner_name", "船东名称"),
    ("owner_phone", "联系电话"), ("owner_id_code", "身份证号/统一社会信用代码"),
]
REQUIRED = ("registry_no", "name", "owner_kind", "owner_name")


@dataclass
class RowResult:
    row: int  # as the spreadsheet numbers it: the heading is row 1
    registry_no: str
    name: str
    action: str  # create | update | unchanged | error
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == "error"]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells, the heading first."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
            raise InvalidInput(f"无法读取 Excel 文件: {exc.__class__.__name__}") from None
        ws = wb.worksheets[0]
        rows = [[_cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
        wb.close()
    elif suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise InvalidInput("CSV 文件编码无法识别，请另存为 UTF-8")
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise InvalidInput("只支持 .xlsx 和 .csv 文件")
    if len(rows) > MAX_ROWS + 1:
        raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行")
    return rows


def _map_header(header: list[str]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for i, heading in enumerate(header):
        key = HEADERS.get(heading.strip()) or HEADERS.get(heading.strip().lower())
        if key and key not in mapping.values():
            mapping[i] = key
    missing = [k for k in REQUIRED if k not in mapping.values()]
    if missing:
        names = {k: label for k, label in EXPORT_COLUMNS}
        raise InvalidInput("表头缺少必填列: " + "、".join(names[k] for k in missing))
    return mapping


def import_roster(session: Session, user: User, data: bytes, filename: str, *,
                  dry_run: bool = True) -> ImportReport:
    """Check every row and apply the good ones (unless ``dry_run``).

    A registry number already on the roster updates that vessel; one that appears twice in
    the file is an error on its second row, as is an MMSI used by two vessels.
    """
    require_registry_keeper(session, user)
    rows = read_table(data, filename)
    if not rows:
        raise InvalidInput("文件是空的")
    mapping = _map_header(rows[0])
    results: list[RowResult] = []
    seen_numbers: dict[str, int] = {}
    seen_mmsi: dict[str, int] = {}
    savepoint = session.begin_nested()
    try:
        for offset, raw in enumerate(rows[1:], start=2):
            if not any(c for c in raw):
                continue
            values = {key: (raw[i] if i < len(raw) else "") for i, key in mapping.items()}
            results.append(_import_row(session, user, offset, values, seen_numbers, seen_mmsi))
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return ImportReport(dry_run=dry_run, rows=results)


def _import_row(session: Session, user: User, row_no: int, values: dict[str, str],
                seen_numbers: dict[str, int], seen_mmsi: dict[str, int]) -> RowResult:
    result = RowResult(row=row_no, registry_no=values.get("registry_no", ""),
                       name=values.get("name", ""), action="error")
    vessel_data = {k: values[k] for k in ("registry_no", "name", "home_port", "mmsi",
                                          "beidou_no", "length_m", "tonnage", "status")
                   if k in values}
    owner_data = {"kind": values.get("owner_kind"), "name": values.get("owner_name"),
                  "phone": values.get("owner_phone", ""),
                  "id_code": values.get("owner_id_code", "")}
    fields: dict[str, object] = {}
    try:
        parse(VesselIn, vessel_data)
        fields = parse(VesselPatch, vessel_data).model_dump(exclude_unset=True)
    except InvalidInput as exc:
        result.errors.append(exc.message)
    try:
        owner_in = parse(OwnerIn, owner_data)
    except InvalidInput as exc:
        result.errors.append(exc.message)
    number = fields.get("registry_no")
    if number and number in seen_numbers:
        result.errors.append(f"渔船编号与第 {seen_numbers[number]} 行重复")
    mmsi = fields.get("mmsi")
    if mmsi and mmsi in seen_mmsi:
        result.errors.append(f"MMSI 与第 {seen_mmsi[mmsi]} 行重复")
    if result.errors:
        return result
    seen_numbers[number] = row_no
    if mmsi:
        seen_mmsi[mmsi] = row_no
    existing = session.scalar(select(FishingVessel).where(FishingVessel.registry_no == number))
    try:
        with session.begin_nested():
            owner = find_or_add_owner(session, user, owner_in)
            if existing is None:
                add_vessel(session, user, parse(VesselIn, vessel_data), owner=owner)
                result.action = "create"
            else:
                before = _snapshot(existing)
                update_vessel(session, user, existing.id,
                              parse(VesselPatch, {**vessel_data, "owner_id": owner.id}))
                result.action = "update" if _snapshot(existing) != before else "unchanged"
    except JinghaiError as exc:
        result.errors.append(exc.message)
        result.action = "error"
    return result


def _snapshot(vessel: FishingVessel) -> tuple:
    return tuple(getattr(vessel, k) for k in ("registry_no", "name", "home_port", "mmsi",
                                              "beidou_no", "length_m", "tonnage", "status",
                                              "owner_id"))


def roster_rows(session: Session, user: User) -> list[list[object]]:
    """The roster as rows (heading first); contacts masked unless the user may see them."""
    require_reader(user)
    show = can_see_contacts(session, user)
    rows: list[list[object]] = [[label for _, label in EXPORT_COLUMNS]]
    vessels = session.scalars(select(FishingVessel).options(selectinload(FishingVessel.owner))
                              .order_by(FishingVessel.registry_no))
    for v in vessels:
        o = v.owner
        rows.append([
            v.registry_no, v.name, v.home_port, v.mmsi or "", v.beidou_no,
            float(v.length_m) if v.length_m is not None else None,
            float(v.tonnage) if v.tonnage is not None else None,
            VESSEL_STATUS_LABELS[VesselStatus(v.status)],
            o.kind_label if o else "", o.name if o else "",
            (o.phone if show else mask_phone(o.phone)) if o else "",
            (o.id_code if show else mask_id(o.id_code)) if o else "",
        ])
    return rows


def export_roster(session: Session, user: User, fmt: str) -> bytes:
    rows = roster_rows(session, user)
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerows([csv_row("" if c is None else c for c in r) for r in rows])
        return buf.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 CSV only with a BOM
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "渔船名录"
        for i, r in enumerate(rows, start=1):
            # MMSI and ID numbers as text, or Excel shows them in scientific notation
            for j, value in enumerate(r, start=1):
                set_text(ws.cell(i, j), value)
        for col in ("D", "K", "L"):
            for cell in ws[col]:
                cell.number_format = "@"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    raise InvalidInput("导出格式应为 xlsx 或 csv")
