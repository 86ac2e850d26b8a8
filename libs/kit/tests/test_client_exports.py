"""A service's part of a client's export (``portico.kit.client_exports``): how rows
become JSON and how a part is laid out. Pure: no database, no store."""

from __future__ import annotations

import base64
import enum
import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import JSON, LargeBinary, Numeric, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portico.kit.client_exports import (
    MAX_INLINE_BYTES,
    ExportContents,
    build_part,
    file_path,
    json_value,
    part_key,
    row_of,
)


class Base(DeclarativeBase):
    pass


class Signed(Base):
    __tablename__ = "signed"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    total: Mapped[Decimal] = mapped_column(Numeric(15, 3))
    on: Mapped[date]
    at: Mapped[datetime]
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    values: Mapped[dict[str, object]] = mapped_column(JSON)
    token_hash: Mapped[str] = mapped_column(String(64))


class Colour(enum.Enum):
    BLUE = "blue"


def test_a_row_keeps_its_columns_as_a_reader_understands_them_and_no_hash() -> None:
    row_id = uuid.uuid4()
    row = Signed(
        id=row_id,
        total=Decimal("1200.500"),
        on=date(2026, 11, 25),
        at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        signature=b"\x89PNG",
        values={"when": date(2026, 1, 2), "price": Decimal("12.5")},
        token_hash="f" * 64,
    )
    assert row_of(row) == {
        "id": str(row_id),
        "total": "1200.500",
        "on": "2026-11-25",
        "at": "2026-11-25T10:00:00+00:00",
        "signature": {"base64": base64.b64encode(b"\x89PNG").decode()},
        "values": {"when": "2026-01-02", "price": "12.5"},
    }


def test_large_binary_values_are_left_out_saying_their_size() -> None:
    assert json_value(b"x" * (MAX_INLINE_BYTES + 1)) == {"omitted_bytes": MAX_INLINE_BYTES + 1}
    assert json_value(Colour.BLUE) == "blue"
    assert json_value([1, (2, None)]) == [1, [2, None]]


def test_a_part_holds_data_json_and_its_files_the_same_bytes_each_time() -> None:
    contents = ExportContents()
    contents.add_rows("quotes", [{"id": "q1", "total": Decimal("10.00")}])
    contents.add_rows("quote_lines", [{"id": "l1"}, {"id": "l2"}])
    assert contents.records == 3
    made = []
    for _ in range(2):
        part = io.BytesIO()
        build_part(
            service="quotes",
            export_id="e1",
            client_id="c1",
            tables=contents.tables,
            files=[
                ("quotes/q1/D-1.pdf", io.BytesIO(b"%PDF-1")),
                ("quotes/q1/D-1.pdf", io.BytesIO(b"%PDF-2")),
            ],
            into=part,
        )
        made.append(part.getvalue())
    assert made[0] == made[1]
    with zipfile.ZipFile(io.BytesIO(made[0])) as opened:
        assert opened.namelist() == [
            "data.json",
            "files/quotes/q1/D-1.pdf",
            "files/quotes/q1/D-1 (2).pdf",
        ]
        data = json.loads(opened.read("data.json"))
        assert opened.read("files/quotes/q1/D-1 (2).pdf") == b"%PDF-2"
    assert data == {
        "service": "quotes",
        "export_id": "e1",
        "client_id": "c1",
        "tables": {
            "quote_lines": [{"id": "l1"}, {"id": "l2"}],
            "quotes": [{"id": "q1", "total": "10.00"}],
        },
    }


def test_paths_are_made_of_safe_names() -> None:
    assert file_path("documents", "d1", "../../etc/passwd") == "documents/d1/passwd"
    assert file_path("workspaces", "w1", "plans v2.pdf") == "workspaces/w1/plans v2.pdf"
    assert part_key("e1", "quotes") == "exports/e1/quotes.zip"
