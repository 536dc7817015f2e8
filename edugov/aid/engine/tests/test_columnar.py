"""The column-wise matcher (DuckDB) against the pure-Python reference `match`: same normalised numbers, same result."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import duckdb
import pytest

from edugov.aid.engine import ListRow, MatchResult, Students, classify_id, match, match_files, normalise_ids
from edugov.lib.idcard import check_digit, upgrade_15_to_18

REGIONS = ["370202", "370203", "370281", "110101", "440305", "650102", "990101", "000000"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞华国志辉鹏浩阳诗俊"
TRAD = dict(zip("张刘陈杨黄赵吴伟丽军艳杰涛华国志辉鹏阳诗俊",
                "張劉陳楊黃趙吳偉麗軍艷傑濤華國志輝鵬陽詩俊", strict=True))
BLANKS = [" ", "\u3000", "\u00a0", "\t", "\u2003", "\u200b", "\ufeff", "\u2028", "\x0b"]


def make_id(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def noisy_id(rng: random.Random, number: str) -> str:
    """One ID number as a clerk might have typed it: every kind of noise the matcher meets."""
    kind = rng.randrange(14)
    if kind == 0 and number[6:8] == "19":
        return number[:6] + number[8:17]  # old 15-digit number
    if kind == 1:
        return number[:17] + ("0" if number[17] != "0" else "1")  # wrong check digit
    if kind == 2:
        return full_width(number)
    if kind == 3:
        return number[:17] + number[17].lower() + " "
    if kind == 4:
        return number[:17] + rng.choice("xｘＸ×") if number[17] == "X" else number
    if kind == 5:
        cut = rng.randrange(1, 18)
        return number[:cut] + rng.choice(BLANKS) + number[cut:]
    if kind == 6 and number[6:8] == "19":
        short = number[:6] + number[8:17]
        cut = rng.randrange(1, 15)
        return full_width(short[:cut]) + rng.choice(BLANKS) + short[cut:]  # 15 digits, spaced and full-width
    if kind == 7:
        return number[:rng.randrange(10, 18)]  # truncated
    if kind == 8:
        return ""
    if kind == 9:
        return number[:10] + "1331" + number[14:]  # impossible birth date
    if kind == 10:
        return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)  # Arabic-Indic digits
    return number


def random_ids(rng: random.Random, count: int) -> list[str]:
    numbers: list[str] = []
    for _ in range(count):
        birth = dt.date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28))
        number = make_id(rng.choice(REGIONS), birth, rng.randrange(1000))
        numbers.append(noisy_id(rng, number))
    junk = ["abc", "123", "X" * 18, "1" * 15, "0" * 15 + " ", "９" * 15, "1" * 16, "1" * 19, "'; drop", "é" * 18,
            "ß", "１２３４５６７８９０１２３４５", "  \u3000 ", "\u200b", "x", "×"]
    return numbers + junk


def test_sql_normalisation_equals_classify_id_on_many_numbers() -> None:
    numbers = random_ids(random.Random(11643), 6000)
    expected = [(c.normalised, c.upgraded) for c in map(classify_id, numbers)]
    assert normalise_ids(numbers) == expected
    assert sum(upgraded for _, upgraded in expected) > 300  # the upgrade was exercised


def test_sql_15_to_18_upgrade_equals_upgrade_15_to_18() -> None:
    rng = random.Random(1989)
    olds = []
    for _ in range(5000):
        birth = dt.date(rng.randint(1900, 1999), rng.randint(1, 12), rng.randint(1, 28))
        olds.append(f"{rng.choice(REGIONS[:6])}{birth:%y%m%d}{rng.randrange(1000):03d}")
    assert normalise_ids(olds) == [(upgrade_15_to_18(old), True) for old in olds]
    assert {n[-1] for n, _ in normalise_ids(olds)} == set("0123456789X")  # every check character occurs


def _name_variant(rng: random.Random, name: str) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return "".join(TRAD.get(c, c) for c in name)
    if kind == 1:
        return name[0] + " " + name[1:]
    if kind == 2:
        return full_width(" ") + name[0] + "\u3000" + name[1:] + " "
    return name


def _sample(folder: Path, seed: int) -> tuple[Path, Path]:
    """Pupils (namesakes and twins included, some without a number, some names written oddly) and a list with every
    kind of noise, as CSV; returns the two paths."""
    rng = random.Random(seed)
    pupils: list[tuple[str, str, str, str]] = []
    births = [dt.date(rng.choice((1995, 1998, 2012, 2015)), rng.randint(1, 2), rng.randint(1, 28)) for _ in range(60)]
    used: set[str] = set()
    for key in range(3000):
        birth = rng.choice(births)
        number = make_id(rng.choice(REGIONS[:6]), birth, rng.randrange(1, 1000))
        if number in used or rng.random() < 0.03:
            number = ""
        used.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if rng.random() < 0.03:
            name = rng.choice(["張", " ", "ｚ", "z", "é"]) + name  # Traditional, blank, full-width, ASCII heads
        pupils.append((f"p{key}", number, name, birth.isoformat() if rng.random() < 0.98 else ""))
    rows: list[tuple[int, str, str, str]] = []
    for row in range(2, 1500):
        if rng.random() < 0.1:  # not a pupil: a new number, maybe a pupil's name and birth date
            birth = rng.choice(births)
            number, name = make_id(rng.choice(REGIONS[:6]), birth, rng.randrange(1, 1000)), rng.choice(pupils)[2]
        else:
            _, number, name, born = rng.choice(pupils)
            birth = dt.date.fromisoformat(born) if born else rng.choice(births)
            if not number:
                number = make_id(REGIONS[0], birth, 999) if rng.random() < 0.5 else ""
        raw = noisy_id(rng, number) if number else ""
        if rng.random() < 0.2:
            name = _name_variant(rng, name)
        if rng.random() < 0.02:
            name = ""
        written = birth.isoformat() if rng.random() < 0.5 else rng.choice(["", "", "not a date"])
        rows.append((row, raw, name, written))
    students_csv, rows_csv = folder / "students.csv", folder / "list.csv"
    with students_csv.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["student_key", "id_number", "name", "birth_date"])
        out.writerows(pupils)
    with rows_csv.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["row_no", "raw_id", "name", "birth_date"])
        out.writerows(rows)
    return students_csv, rows_csv


def _reference(con: duckdb.DuckDBPyConnection, students_csv: Path, rows_csv: Path) -> MatchResult:
    """The pure-Python match on the same files, read as match_files documents (text, empty = unknown)."""
    def text(path: Path) -> list[tuple[str | None, ...]]:
        return con.execute(f"SELECT * FROM read_csv('{path}', all_varchar = true, header = true)").fetchall()

    def date(value: str | None) -> dt.date | None:
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            return None

    pupils = text(students_csv)
    students = Students(keys=[p[0] for p in pupils], id_numbers=[p[1] or "" for p in pupils],
                        names=[p[2] or "" for p in pupils], birth_dates=[date(p[3]) for p in pupils])
    rows = [ListRow(int(r[0] or 0), r[1] or "", r[2] or "", date(r[3])) for r in text(rows_csv)]
    return match(students, rows)


def _same(ours: MatchResult, reference: MatchResult) -> None:
    assert ours.matches == reference.matches
    assert ours.unmatched == reference.unmatched
    assert {row: (c.normalised, c.kind, c.upgraded, c.message) for row, c in ours.ids.items()} == {
        row: (c.normalised, c.kind, c.upgraded, c.message) for row, c in reference.ids.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_match_files_gives_the_reference_result_on_csv_and_parquet(tmp_path: Path, seed: int) -> None:
    students_csv, rows_csv = _sample(tmp_path, seed)
    con = duckdb.connect()
    reference = _reference(con, students_csv, rows_csv)
    kinds = {(m.kind, m.reason) for m in reference.matches}
    assert {("exact", ""), ("flagged", "bad_check"), ("flagged", "missing"), ("flagged", "not_found"),
            ("flagged", "malformed")} <= kinds  # every path was exercised
    assert any(c.upgraded for c in reference.ids.values()) and reference.unmatched
    _same(match_files(students_csv, rows_csv), reference)
    for path in (students_csv, rows_csv):
        con.execute(f"COPY (SELECT * FROM read_csv('{path}', all_varchar = true, header = true)) "
                    f"TO '{path.with_suffix('.parquet')}' (FORMAT parquet)")
    _same(match_files(students_csv.with_suffix(".parquet"), rows_csv.with_suffix(".parquet"), con), reference)
    assert not con.execute("SELECT * FROM duckdb_tables() WHERE table_name LIKE '_aid%'").fetchall()


def test_a_number_stored_twice_matches_the_later_pupil_as_match_does(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    number = make_id("370202", dt.date(2015, 3, 1), 101)
    students_csv, rows_csv = tmp_path / "students.csv", tmp_path / "list.csv"
    students_csv.write_text(f"student_key,id_number,name,birth_date\na,{number},张伟,2015-03-01\n"
                            f"b,{number},张伟,2015-03-01\nc,,张伟,2015-03-01\n", encoding="utf-8")
    rows_csv.write_text(f"row_no,raw_id,name,birth_date\n2,{number},张伟,\n3,{full_width(number)} ,張偉,\n"
                        f"4,,张伟,2015-03-01\n", encoding="utf-8")
    reference = _reference(duckdb.connect(), students_csv, rows_csv)
    assert [(m.row, m.student) for m in reference.matches] == [(2, "b"), (3, "b"), (4, "a"), (4, "b"), (4, "c")]
    _same(match_files(students_csv, rows_csv), reference)
    # Without numpy (not a dependency) the rows come as tuples: same result.
    monkeypatch.setattr("edugov.aid.engine.columnar._has_numpy", lambda: False)
    _same(match_files(students_csv, rows_csv), reference)
