"""National code tables (民族, 性别, 办学类型, 学历, …) loaded from the CSV files in ``edugov/lib/codes/``.

Each file has the columns ``code,name`` and optionally ``aliases`` (``|``-separated
other spellings accepted on import) plus list-specific columns such as ``band`` or
``stage_kind``, which are exposed through :attr:`CodeEntry.extra`. The source and
status (CONFIRMED/UNCERTAIN) of every list are recorded in ``codes/README.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

from edugov.lib.text import clean_cell, to_halfwidth

__all__ = [
    "CODELIST_NAMES",
    "CodeEntry",
    "CodeList",
    "UnknownCodeError",
    "is_county_level_or_higher_backbone",
    "is_public_sponsor",
    "load",
]

CODELIST_NAMES: tuple[str, ...] = (
    "backbone_level",
    "disability",
    "education_level",
    "ethnicity",
    "province",
    "school_type",
    "sex",
    "sponsor",
    "subject",
    "teacher_title",
    "urban_rural",
)

_RESERVED_COLUMNS = ("code", "name", "aliases")
_ASCII_DIGITS = re.compile(r"[0-9]+")


class UnknownCodeError(KeyError):
    """Raised when a code is not in a code list; ``str()`` gives a Chinese message."""

    def __init__(self, list_name: str, value: str) -> None:
        super().__init__(value)
        self.list_name = list_name
        self.value = value

    def __str__(self) -> str:
        return f"代码“{self.value}”不在代码表 {self.list_name} 中，请按代码表填写"


def _lookup_key(value: str) -> str:
    return to_halfwidth(clean_cell(value))


def _label_key(value: str) -> str:
    # Names are compared without any spaces: "外国血统 中国籍人士" is a typing slip, not another value.
    return _lookup_key(value).replace(" ", "")


@dataclass(frozen=True)
class CodeEntry:
    """One row of a code list. ``extra`` holds the list-specific columns as strings."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)


@dataclass(frozen=True)
class CodeList:
    """An immutable, ordered code table with lookups by code, name or alias.

    Construction guarantees that codes are unique and that no name or alias
    points at two different codes, so every lookup has at most one answer.
    """

    list_name: str
    entries: tuple[CodeEntry, ...]
    columns: tuple[str, ...] = ("code", "name")
    _by_code: Mapping[str, CodeEntry] = field(init=False, repr=False, compare=False, hash=False)
    _by_label: Mapping[str, CodeEntry] = field(init=False, repr=False, compare=False, hash=False)
    _code_width: int | None = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        by_code: dict[str, CodeEntry] = {}
        by_label: dict[str, CodeEntry] = {}
        for entry in self.entries:
            if not entry.code or not entry.name:
                raise ValueError(f"代码表 {self.list_name} 含有空的代码或名称")
            if entry.code in by_code:
                raise ValueError(f"代码表 {self.list_name} 中代码“{entry.code}”重复")
            by_code[entry.code] = entry
            for label in (entry.name, *entry.aliases):
                key = _label_key(label)
                other = by_label.get(key)
                if other is not None and other.code != entry.code:
                    raise ValueError(
                        f"代码表 {self.list_name} 中名称“{label}”同时对应代码 {other.code} 和 {entry.code}"
                    )
                by_label[key] = entry
        widths = {len(code) for code in by_code}
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_by_label", MappingProxyType(by_label))
        object.__setattr__(self, "_code_width", widths.pop() if len(widths) == 1 else None)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CodeEntry]:
        return iter(self.entries)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def codes(self) -> tuple[str, ...]:
        """Return all codes in table order."""
        return tuple(entry.code for entry in self.entries)

    def get(self, code: str) -> CodeEntry | None:
        """Return the entry for ``code`` (surrounding whitespace and full-width digits tolerated), or None."""
        return self._by_code.get(_lookup_key(code))

    def name(self, code: str) -> str:
        """Return the Chinese name for ``code``; raise :class:`UnknownCodeError` if the code is not listed."""
        entry = self.get(code)
        if entry is None:
            raise UnknownCodeError(self.list_name, code)
        return entry.name

    def by_name(self, value: str) -> CodeEntry | None:
        """Resolve a user-entered value that may be a code, a name or an alias; return None if nothing matches.

        Tolerates surrounding and inner whitespace, full-width characters, and codes whose
        leading zeros a spreadsheet dropped (``"1"`` finds ``"01"`` in a list of 2-digit codes).
        """
        key = _lookup_key(value)
        entry = self._by_code.get(key)
        if entry is not None:
            return entry
        if self._code_width is not None and _ASCII_DIGITS.fullmatch(key) and len(key) < self._code_width:
            entry = self._by_code.get(key.zfill(self._code_width))
            if entry is not None:
                return entry
        return self._by_label.get(_label_key(value))

    def where(self, column: str, value: str) -> tuple[CodeEntry, ...]:
        """Return the entries whose extra ``column`` equals ``value``, in table order."""
        if column not in self.columns or column in _RESERVED_COLUMNS:
            raise KeyError(f"代码表 {self.list_name} 没有列 {column}")
        return tuple(entry for entry in self.entries if entry.extra.get(column) == value)


def parse_csv(list_name: str, text: str) -> CodeList:
    """Build a :class:`CodeList` from CSV text with a ``code,name[,aliases,...]`` header."""
    reader = csv.DictReader(io.StringIO(text))
    columns = tuple(reader.fieldnames or ())
    if columns[:2] != ("code", "name"):
        raise ValueError(f"代码表 {list_name} 的表头必须以 code,name 开头，实际为 {','.join(columns)}")
    entries: list[CodeEntry] = []
    for line_no, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            raise ValueError(f"代码表 {list_name} 第 {line_no} 行的列数与表头不一致")
        aliases = tuple(alias.strip() for alias in row.get("aliases", "").split("|") if alias.strip())
        extra = {key: value.strip() for key, value in row.items() if key not in _RESERVED_COLUMNS}
        entries.append(
            CodeEntry(
                code=row["code"].strip(),
                name=row["name"].strip(),
                aliases=aliases,
                extra=MappingProxyType(extra),
            )
        )
    return CodeList(list_name=list_name, entries=tuple(entries), columns=columns)


@cache
def load(name: str) -> CodeList:
    """Return the named code list (one of :data:`CODELIST_NAMES`), read once from package data and cached."""
    if name not in CODELIST_NAMES:
        raise ValueError(f"没有名为 {name} 的代码表，可用的有：{', '.join(CODELIST_NAMES)}")
    text = (resources.files("edugov.lib") / "codes" / f"{name}.csv").read_text(encoding="utf-8-sig")
    return parse_csv(name, text)


def _rank(list_name: str, value: str) -> int:
    codes = load(list_name)
    entry = codes.by_name(value)
    if entry is None:
        raise UnknownCodeError(list_name, value)
    return int(entry.extra["rank"])


def is_county_level_or_higher_backbone(value: str) -> bool:
    """Tell whether a 骨干教师级别 (code or name) is 县级 or above, as indicator 1.2-2 counts them."""
    return _rank("backbone_level", value) >= _rank("backbone_level", "县级")


def is_public_sponsor(value: str) -> bool:
    """Tell whether a 举办者 code denotes a public school (everything except 999 民办; an inference, see README)."""
    entry = load("sponsor").by_name(value)
    if entry is None:
        raise UnknownCodeError("sponsor", value)
    return entry.extra["is_public"] == "1"
