"""Reading workbooks and CSV files into (row number, {header: raw value}) streams.

A path may be an .xlsx workbook (one sheet per table), a .csv file (one table, chosen by the file name), or a folder
of such files. The reader knows nothing about validation; it finds tables, header rows and the spreadsheet habits
that silently corrupt data (merged cells, formulas), and it keeps the row numbers the user sees in Excel so that
every message can point at a cell.

XLSX values come from python-calamine (fast, Rust). Calamine does not say whether a cell holds a formula, so the
sheet XML is scanned once with zipfile for <f> elements; the same pass counts rows for the progress bar. Both are a
byte search over the decompressed stream, far cheaper than parsing XML.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import python_calamine
from django.utils.translation import gettext as _

from edugov.dataio.problems import column_letter
from edugov.dataio.tables import TABLES, Table
from edugov.lib.text import clean_cell, normalize_header

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
#: sheets the template adds for people, never imported
TEMPLATE_SHEETS = frozenset({"填写说明", "示例", "代码表"})
#: how many non-empty rows may precede the header (a title such as “2024年学生名册”)
HEADER_SEARCH_ROWS = 10

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')


class ReadError(Exception):
    """A file cannot be read at all; the message and fix are in Chinese and name the file."""

    def __init__(self, problem: str, fix: str, code: str = "unreadable") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.code = code


@dataclass(frozen=True)
class HeaderCell:
    """One header of the header row: its text as written, a unique key for row dicts, and its position."""

    text: str
    key: str
    index: int

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Source:
    """One table-shaped thing to import: a worksheet of a workbook or a CSV file."""

    path: Path
    file: str
    sheet: str
    format: str
    table: Table | None = None
    identified_by: str = "name"
    encoding: str | None = None
    delimiter: str = ","
    estimated_rows: int = 0
    # 0-based column index → 1-based row numbers of cells that hold formulas
    formula_cells: dict[int, set[int]] = field(default_factory=dict)
    formula_unlocated: int = 0
    _workbook: Any = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return f"{self.file}·{self.sheet}" if self.format == "xlsx" else self.file


@dataclass
class OpenedSheet:
    """A source after its header row was found: headers, merged ranges and a row stream (read once)."""

    source: Source
    header_row: int
    headers: list[HeaderCell]
    title_rows: list[int]
    merged: list[tuple[int, int, int, int]]
    raw_rows: Iterator[tuple[int, list[Any]]]

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(Excel row number, {header key: raw value}) for every non-blank row after the header."""
        keys = [h.key for h in self.headers]
        indexes = [h.index for h in self.headers]
        width = max(indexes) + 1 if indexes else 0
        if not indexes:
            return
        if len(indexes) == 1:
            only = indexes[0]

            def pick(row: list[Any]) -> tuple[Any, ...]:
                return (row[only],)
        else:
            pick = itemgetter(*indexes)  # type: ignore[assignment]
        for number, row in self.raw_rows:
            if len(row) < width:
                row = row + [""] * (width - len(row))
            yield number, dict(zip(keys, pick(row), strict=True))


def is_blank(row: list[Any]) -> bool:
    """A row with nothing but empty cells and whitespace. Zero and False are values, not blanks."""
    if not any(row):
        # every cell is falsy: blank unless one of them is a real 0 or False
        return all(value is None or isinstance(value, str) for value in row)
    for value in row:
        if isinstance(value, str):
            if value.strip():
                return False
        elif value is not None:
            return False
    return True


# --- discovery ---------------------------------------------------------------------------------------------------

def table_for_name(name: str) -> Table | None:
    """The table whose sheet name, key or file alias is `name` (spaces and case ignored)."""
    wanted = normalize_header(name).lower()
    for table in TABLES:
        names = {table.sheet, table.key, *table.file_aliases}
        if wanted in {normalize_header(n).lower() for n in names}:
            return table
    return None


def table_for_headers(headers: list[str]) -> Table | None:
    """The one table all of whose required headers appear in `headers`, if exactly one fits best."""
    found = {normalize_header(h) for h in headers}
    best: list[tuple[int, Table]] = []
    for table in TABLES:
        required = [c for c in table.columns if c.required]
        if not all(_accepted_names(c) & found for c in required):
            continue
        score = sum(1 for c in table.columns if _accepted_names(c) & found)
        best.append((score, table))
    if not best:
        return None
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _accepted_names(column: Any) -> set[str]:
    return {normalize_header(column.header), *(normalize_header(a) for a in column.aliases)}


def suggest_sheet(name: str) -> str:
    names = [t.sheet for t in TABLES]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return close[0] if close else ""


def discover(path: Path, display_name: str | None = None) -> tuple[list[Source], list[tuple[str, str, str, str]]]:
    """Finds every table in a file or folder.

    Returns the sources and a list of notices (file, problem, fix, severity) about files or sheets that were skipped.
    Raises ReadError when `path` itself cannot be read.
    """
    notices: list[tuple[str, str, str, str]] = []
    if path.is_dir():
        sources: list[Source] = []
        files = sorted(p for p in path.iterdir() if p.is_file())
        for file_path in files:
            name = file_path.name
            if name.startswith(("~$", ".")):
                continue  # Excel's lock files and hidden files are not data
            suffix = file_path.suffix.lower()
            if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
                notices.append((name, _("文件“%(name)s”不是 XLSX 或 CSV 文件，已忽略") % {"name": name},
                                _("只导入 .xlsx 和 .csv 文件"), "warning"))
                continue
            try:
                sources.extend(_discover_file(file_path, name, notices))
            except ReadError as exc:
                notices.append((name, exc.problem, exc.fix, "error"))
        if not sources and not any(n[3] == "error" for n in notices):
            raise ReadError(_("文件夹中没有可导入的 XLSX 或 CSV 文件"),
                            _("请把各表的 .xlsx 或 .csv 文件放在该文件夹中"), "empty_folder")
        return sources, notices
    if not path.exists():
        raise ReadError(_("找不到文件“%(name)s”") % {"name": display_name or path.name}, _("请检查路径"), "not_found")
    return _discover_file(path, display_name or path.name, notices), notices


def _discover_file(path: Path, name: str, notices: list[tuple[str, str, str, str]]) -> list[Source]:
    suffix = Path(name).suffix.lower()
    size = path.stat().st_size
    if size == 0:
        raise ReadError(_("文件“%(name)s”是空文件（0 字节）") % {"name": name},
                        _("请确认上传的是填好数据并已保存的文件"), "empty_file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if suffix in XLSX_SUFFIXES:
        if head.startswith(_OLE2_MAGIC):
            raise ReadError(
                _("文件“%(name)s”不是 .xlsx 工作簿，而是旧版 Excel 97-2003 (.xls) 文件或带密码的工作簿")
                % {"name": name},
                _("请在 Excel 中打开，取消密码后“另存为”Excel 工作簿（*.xlsx）"), "not_xlsx")
        if not head.startswith(_ZIP_MAGIC):
            looks_text = _looks_like_text(path)
            fix = (_("这看起来是文本（CSV）文件，请把扩展名改为 .csv 后重新导入") if looks_text
                   else _("请在 Excel 中打开该文件并“另存为”Excel 工作簿（*.xlsx）"))
            raise ReadError(_("文件“%(name)s”不是有效的 Excel 工作簿（.xlsx），可能是其他类型的文件改了扩展名")
                            % {"name": name}, fix, "not_xlsx")
        return _discover_xlsx(path, name, notices)
    if suffix in CSV_SUFFIXES:
        return [_discover_csv(path, name)]
    raise ReadError(_("不支持的文件类型“%(suffix)s”") % {"suffix": suffix or name},
                    _("请另存为 Excel 工作簿（.xlsx）或 CSV 文件后导入"), "unsupported")


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    return b"\x00" not in sample and (b"," in sample or b"\t" in sample)


# --- XLSX --------------------------------------------------------------------------------------------------------

def _discover_xlsx(path: Path, name: str, notices: list[tuple[str, str, str, str]]) -> list[Source]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        metadata = list(workbook.sheets_metadata)
    except python_calamine.PasswordError as exc:
        raise ReadError(_("工作簿“%(name)s”设有密码，无法读取") % {"name": name},
                        _("请取消工作簿密码后另存再导入"), "password") from exc
    except Exception as exc:  # calamine raises several error types for damaged or foreign files
        raise ReadError(_("文件“%(name)s”不是有效的 Excel 工作簿（.xlsx），或文件已损坏") % {"name": name},
                        _("请在 Excel 中打开该文件并“另存为”Excel 工作簿（*.xlsx）"), "not_xlsx") from exc
    xml_paths = _sheet_xml_paths(path)
    sources: list[Source] = []
    for meta in metadata:
        sheet_name = meta.name
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue
        if sheet_name in TEMPLATE_SHEETS:
            continue
        source = Source(path=path, file=name, sheet=sheet_name, format="xlsx", _workbook=workbook)
        source.table = table_for_name(sheet_name)
        if source.table is None:
            headers = _peek_xlsx_headers(workbook, sheet_name)
            if not headers:
                continue  # an empty “Sheet2” left over from a new workbook
            source.table = table_for_headers(headers)
            if source.table is None:
                hint = suggest_sheet(sheet_name)
                fix = (_("如果这是“%(hint)s”表，请把工作表改名为“%(hint)s”") % {"hint": hint} if hint else
                       _("可导入的工作表名称：%(names)s") % {"names": "、".join(t.sheet for t in TABLES)})
                notices.append((name, _("工作表“%(sheet)s”不是可导入的表，已忽略") % {"sheet": sheet_name}, fix,
                                "warning"))
                continue
            source.identified_by = "headers"
        xml_path = xml_paths.get(sheet_name)
        if xml_path is not None:
            _scan_sheet_xml(path, xml_path, source)
        sources.append(source)
    if not sources and not notices:
        raise ReadError(_("工作簿“%(name)s”中没有可导入的工作表") % {"name": name},
                        _("工作表名称应为：%(names)s（可从导入模板开始填写）") % {
                            "names": "、".join(t.sheet for t in TABLES)}, "empty_workbook")
    return sources


def _peek_xlsx_headers(workbook: Any, sheet_name: str) -> list[str]:
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
    except Exception:
        return []
    for index, row in enumerate(sheet.iter_rows()):
        if index > HEADER_SEARCH_ROWS * 3:
            break
        texts = [clean_cell(str(v)) for v in row if v is not None and str(v).strip()]
        if len(texts) >= 2:
            return texts
    return []


def _sheet_xml_paths(path: Path) -> dict[str, str]:
    """Sheet name → member path of its XML inside the workbook zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook_xml = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels_xml = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    targets: dict[str, str] = {}
    for rel in rels_xml:
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id", "")] = member
    result: dict[str, str] = {}
    for element in workbook_xml.iter():
        if element.tag.endswith("}sheet") or element.tag == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            if rid and rid in targets:
                result[element.get("name", "")] = targets[rid]
    return result


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def _scan_sheet_xml(path: Path, member: str, source: Source) -> None:
    """Counts rows and locates formula cells with a byte search over the decompressed sheet XML."""
    overlap = 4096
    rows = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
            carry = b""
            while True:
                chunk = stream.read(1 << 20)
                final = not chunk
                buffer = carry + chunk
                limit = len(buffer) if final else max(0, len(buffer) - overlap)
                # a token counts in the buffer where it starts; `limit + len - 1` admits one that straddles `limit`
                rows += buffer.count(b"<row ", 0, limit + 4)
                for token in (b"<f>", b"<f "):
                    start = buffer.find(token, 0, limit + 2)
                    while start != -1:
                        _record_formula(buffer, start, source)
                        start = buffer.find(token, start + 3, limit + 2)
                if final:
                    break
                carry = buffer[limit:]
    except (KeyError, zipfile.BadZipFile, OSError):
        return
    source.estimated_rows = rows


def _record_formula(buffer: bytes, position: int, source: Source) -> None:
    cell_start = buffer.rfind(b"<c ", max(0, position - 2048), position)
    match = _CELL_REF.search(buffer, cell_start, position) if cell_start != -1 else None
    if match is None:
        source.formula_unlocated += 1
        return
    column = _column_index(match.group(1))
    source.formula_cells.setdefault(column, set()).add(int(match.group(2)))


def _xlsx_rows(source: Source) -> tuple[Iterator[tuple[int, list[Any]]], list[tuple[int, int, int, int]]]:
    sheet = source._workbook.get_sheet_by_name(source.sheet)
    merged = [(r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    # calamine yields rows from row 1 but columns from the first used column; pad so that indexes are absolute.
    first_column = sheet.start[1] if sheet.start else 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        pad = [""] * first_column
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, (pad + row) if first_column else row

    return rows(), merged


# --- CSV ---------------------------------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes strictly as UTF-8, else GB18030 (what Chinese Excel
    writes as “CSV (逗号分隔)”), else UTF-16 when it starts with a UTF-16 BOM (Excel's “Unicode 文本”)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError(_("无法识别文件的文字编码（既不是 UTF-8 也不是 GBK/GB18030）"),
                    _("请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”"), "encoding")


ENCODING_NAMES = {"utf-8-sig": "UTF-8", "gb18030": "GB18030（GBK）", "utf-16": "UTF-16"}


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _discover_csv(path: Path, name: str) -> Source:
    encoding = detect_encoding(path)
    source = Source(path=path, file=name, sheet=Path(name).stem, format="csv", encoding=encoding)
    with path.open(encoding=encoding, newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        with path.open(encoding=encoding, newline="") as handle:
            if not any(line.strip(" ,\t\r\n") for line in handle):
                raise ReadError(_("文件“%(name)s”没有任何内容") % {"name": name},
                                _("请填写表头和数据后保存再导入"), "empty_file")
    if "\t" in first_line and "," not in first_line:
        source.delimiter = "\t"
    source.estimated_rows = _count_lines(path)
    source.table = table_for_name(Path(name).stem)
    if source.table is None:
        headers = _peek_csv_headers(source)
        source.table = table_for_headers(headers)
        if source.table is None:
            hint = suggest_sheet(Path(name).stem)
            raise ReadError(
                _("无法判断文件“%(name)s”属于哪张表：文件名不是表名，表头也对不上任何一张表") % {"name": name},
                (_("如果这是“%(hint)s”表，请把文件改名为“%(hint)s.csv”") % {"hint": hint} if hint else
                 _("请把文件命名为表名，如 %(names)s") % {"names": "、".join(f"{t.sheet}.csv" for t in TABLES)}),
                "unknown_table")
        source.identified_by = "headers"
    return source


def _peek_csv_headers(source: Source) -> list[str]:
    for _number, row in _csv_rows(source):
        texts = [clean_cell(v) for v in row if v.strip()]
        if len(texts) >= 2:
            return texts
    return []


def _csv_rows(source: Source) -> Iterator[tuple[int, list[Any]]]:
    # Row numbers count records, as Excel does when it opens the file, not physical lines.
    with source.path.open(encoding=source.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        yield from enumerate(reader, start=1)


# --- opening -----------------------------------------------------------------------------------------------------

def open_source(source: Source) -> OpenedSheet:
    """Loads the sheet (or opens the CSV), finds the header row and returns the row stream after it.

    The header row is the first non-empty row, unless one of the next few rows looks more like the table's header
    (a title such as “2024年学生名册” may sit above it). Raises ReadError for a sheet with no content.
    """
    if source.format == "xlsx":
        raw, merged = _xlsx_rows(source)
    else:
        raw, merged = _csv_rows(source), []
    non_blank = (item for item in raw if not is_blank(item[1]))
    lookahead: list[tuple[int, list[Any]]] = []
    for item in non_blank:
        lookahead.append(item)
        if len(lookahead) >= HEADER_SEARCH_ROWS:
            break
    if not lookahead:
        raise ReadError(_("工作表“%(sheet)s”是空的，没有表头也没有数据") % {"sheet": source.sheet},
                        _("请在第一行填写表头（可从导入模板复制），从第二行起逐行填写数据"), "empty_sheet")
    header_at = _choose_header(source.table, lookahead)
    header_number, header_values = lookahead[header_at]
    headers = _header_cells(header_values)
    title_rows = [number for number, _row in lookahead[:header_at]]

    def rest() -> Iterator[tuple[int, list[Any]]]:
        yield from lookahead[header_at + 1:]
        yield from non_blank

    return OpenedSheet(source=source, header_row=header_number, headers=headers, title_rows=title_rows,
                       merged=merged, raw_rows=rest())


def _choose_header(table: Table | None, rows: list[tuple[int, list[Any]]]) -> int:
    if table is None:
        return 0
    known: set[str] = set()
    for column in table.columns:
        known |= _accepted_names(column)
    best, best_hits = 0, -1
    for index, (_number, row) in enumerate(rows):
        hits = sum(1 for v in row if isinstance(v, str) and normalize_header(v) in known)
        if hits > best_hits:
            best, best_hits = index, hits
        if hits >= 2:
            return index
    return best if best_hits > 0 else 0


def _header_cells(values: list[Any]) -> list[HeaderCell]:
    cells: list[HeaderCell] = []
    seen: set[str] = set()
    for index, value in enumerate(values):
        text = clean_cell(_header_text(value))
        if not text:
            continue
        key = text
        if key in seen:
            key = f"{text}（{column_letter(index)}列）"
        seen.add(key)
        cells.append(HeaderCell(text=text, key=key, index=index))
    return cells


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
