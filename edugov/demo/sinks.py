"""Row sinks that write the canonical tables as CSV files or as one XLSX workbook, streaming, deterministically.

Rows arrive as lists of typed cells (str, int, Decimal, date or None) in the column order of
:mod:`edugov.dataio.tables`; each sink renders them the way its format expects. Neither sink keeps rows in memory:
CSV rows go straight to their files, and openpyxl's write-only worksheets spool to temporary files.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Protocol

from edugov.dataio.tables import TABLES, Table

Cell = str | int | Decimal | date | None
# Rows are lists of cells; people rows are built positionally as list[object] for speed, so sinks take any object
# and render it by its type.
Row = Sequence[object]

__all__ = ["Cell", "CsvSink", "Row", "Sink", "XlsxSink", "csv_text"]

# ZIP entries carry a modification time; a fixed one (the earliest ZIP allows) keeps workbooks byte-identical.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def csv_text(value: object) -> str:
    """The text a cell has in a CSV file: ISO dates, plain decimals, empty for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Sink(Protocol):
    def write(self, table: Table, row: Row) -> None: ...

    def close(self) -> list[Path]: ...


class CsvSink:
    """One ``<sheet>.csv`` per table, UTF-8 with BOM so that Excel on Chinese Windows opens it correctly."""

    def __init__(self, outdir: Path, tables: Sequence[Table] = TABLES) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}
        self._paths: list[Path] = []
        self._csv: dict[str, _CsvWriter] = {}
        for table in tables:
            path = outdir / f"{table.sheet}.csv"
            handle = path.open("w", encoding="utf-8-sig", newline="")
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(table.headers)
            self._files[table.key] = handle
            self._csv[table.key] = writer
            self._paths.append(path)

    def write(self, table: Table, row: Row) -> None:
        self._csv[table.key].writerow([csv_text(value) for value in row])

    def close(self) -> list[Path]:
        for handle in self._files.values():
            handle.close()
        return list(self._paths)


class _CsvWriter(Protocol):
    def writerow(self, row: Sequence[str], /) -> object: ...


class XlsxSink:
    """One workbook, one sheet per table, written with openpyxl's write-only mode.

    Codes and ID numbers stay text (a number cell would lose leading zeros and the last digits of an 18-digit
    ID); counts and amounts are numbers, dates are date cells. After saving, the archive is re-packed with fixed
    timestamps because openpyxl stamps the current time into docProps/core.xml and into every ZIP entry.
    """

    def __init__(self, path: Path, *, stamp: date, tables: Sequence[Table] = TABLES) -> None:
        from openpyxl import Workbook  # imported here so that CSV-only runs do not pay for openpyxl

        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._stamp = stamp
        self._workbook = Workbook(write_only=True)
        self._sheets: dict[str, Any] = {}
        for table in tables:
            sheet = self._workbook.create_sheet(table.sheet)
            sheet.append(list(table.headers))
            self._sheets[table.key] = sheet

    def write(self, table: Table, row: Row) -> None:
        # Decimal cells are written by openpyxl as their exact text, so 5230.5 never becomes 5230.499999.
        self._sheets[table.key].append(list(row))

    def close(self) -> list[Path]:
        scratch = self._path.with_name(self._path.name + ".tmp")
        self._workbook.save(scratch)
        _repack_deterministically(scratch, self._path, self._stamp)
        scratch.unlink()
        return [self._path]


def _repack_deterministically(source: Path, target: Path, stamp: date) -> None:
    fixed = f"{stamp.isoformat()}T00:00:00Z".encode()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMESTAMP.sub(rb"\g<1>" + fixed + rb"\g<2>", zin.read(info))
                zout.writestr(entry, data)
                continue
            # Sheets can be hundreds of megabytes uncompressed: copy them as streams.
            with zin.open(info) as src, zout.open(entry, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
