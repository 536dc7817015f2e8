#!/usr/bin/env python
"""精准资助 matching benchmark: our matcher against a plain DuckDB join on the normalised ID number.

    python bench/aid_matching.py [--students 1000000] [--rows 100000] [--seed 20251] [--repeat 3] [--keep DIR]

1. **Generate** (deterministic for a seed, not timed): N pupils with valid 18-character ID numbers, names and birth
   dates, and an external list of M rows: ~95 % pupils, ~5 % people who are not pupils, with noise — ~10 % old
   15-digit numbers, ~3 % wrong check digits, ~5 % name variants (Traditional characters, spaces, full-width),
   some full-width digits and lower-case x, and 出生日期 filled on half the rows. Both are written as CSV and converted
   to Parquet (DuckDB's COPY) in a temporary folder; the generator keeps the truth (list row → pupil).
2. **Ours** (timed): `edugov.aid.engine.match_files` over the two Parquet files: the IDs normalised (full-width,
   x, 15 → 18) and joined exactly in DuckDB; only the rows left over (≈ 8 %) and the pupils sharing their birth date
   and first name character come into Python, for the flagged (name, birth date) fallback and the classification.
3. **Limit** (timed): one DuckDB query over the same files: normalise the raw ID in SQL (spaces removed, full-width
   digits and x translated, upper-cased, 15-digit numbers upgraded to 18 with the check digit computed in SQL) and
   inner-join on it, fetching the matched (row, pupil) pairs. No name/birth fallback, no classification.
4. **Report**: both times, the ratio ours/limit (goal ≤ 2), and precision/recall of exact, flagged and all matches
   against the truth (the limit's too). Then one run of the reference, the pure-Python `match` (both files read
   into Python objects first), with a check that its matches equal ours (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from edugov.aid.engine import ListRow, MatchKind, Students, match, match_files  # noqa: E402
from edugov.lib.idcard import check_digit  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉鹏宇浩然欣怡子涵梓轩雨泽思远博文晨"
    "阳佳琪紫萱诗涵俊杰嘉怡一诺梦瑶天佑锦程书豪雅婷"
)
# Simplified → Traditional for the characters above that have a Traditional form (name variants).
TRAD = dict(zip("张刘陈杨黄赵吴郑谢韩冯邓萧丁卢钟谭陆汪贾韦邹孟熊龚严汤伟丽军艳杰涛华兰红国志辉鹏浩阳诗俊梦锦书豪婷",
                "張劉陳楊黃趙吳鄭謝韓馮鄧蕭丁盧鍾譚陸汪賈韋鄒孟熊龔嚴湯偉麗軍艷傑濤華蘭紅國志輝鵬浩陽詩俊夢錦書豪婷",
                strict=True))
REGIONS = ["370202", "370203", "370211", "370212", "370213", "370214", "370281", "370283", "110101", "440305"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

LIMIT_SQL = """
WITH list AS (
  SELECT row_no, upper(translate(regexp_replace(raw_id, '\\s', '', 'g'),
                                 '０１２３４５６７８９ｘＸ', '0123456789xX')) AS n
  FROM read_parquet('{rows}')
), upgraded AS (
  SELECT row_no,
         CASE WHEN length(n) = 15 THEN
           substr(n, 1, 6) || '19' || substr(n, 7) || substr('10X98765432', (list_sum(list_transform(range(17),
             lambda i: CAST(substr(substr(n, 1, 6) || '19' || substr(n, 7), i + 1, 1) AS INTEGER)
                  * {weights}[i + 1])) % 11)::INTEGER + 1, 1)
         ELSE n END AS id_number
  FROM list
)
SELECT u.row_no, s.student_key
FROM upgraded u JOIN read_parquet('{students}') s ON s.id_number = u.id_number
"""


def make_id(region: str, birth: dt.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def variant(name: str, rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0 and any(c in TRAD for c in name):
        return "".join(TRAD.get(c, c) for c in name)
    if kind == 1:
        return name[0] + " " + name[1:]
    return name[0] + "\u3000" + name[1:] + " "


def id_noise(number: str, birth: dt.date, rng: random.Random) -> str:
    """The raw ID as a list clerk might have typed it."""
    if birth.year < 2000 and rng.random() < 0.30:  # old 15-digit numbers exist only for people born in the 1900s
        return number[:6] + number[8:17]
    roll = rng.random()
    if roll < 0.03:
        return number[:17] + ("0" if number[17] != "0" else "1")  # wrong check digit
    if roll < 0.05:
        return "".join(chr(ord(c) + 0xFEE0) for c in number)  # full-width digits
    if roll < 0.07:
        return number[:17] + number[17].lower() + " "
    return number


def birth_between(rng: random.Random, first: int, last: int) -> dt.date:
    start = dt.date(first, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(last, 12, 31).toordinal()))


def generate(folder: Path, n_students: int, n_rows: int, seed: int) -> dict[int, int]:
    """Writes students.csv/.parquet and list.csv/.parquet; returns the truth {list row → student key}."""
    rng = random.Random(seed)
    used: set[str] = set()
    people: list[tuple[str, str, dt.date]] = []

    def new_person(first: int, last: int) -> tuple[str, str, dt.date]:
        while True:
            birth = birth_between(rng, first, last)
            number = make_id(rng.choice(REGIONS), birth, rng.randrange(1, 1000))
            if number not in used:
                used.add(number)
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
                return number, name, birth

    # The bench population spans 1990-2019 so that old 15-digit numbers (1900s births only) can occur at all.
    people = [new_person(1990, 2019) for _ in range(n_students)]
    with (folder / "students.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["student_key", "id_number", "name", "birth_date"])
        out.writerows((key, number, name, birth.isoformat()) for key, (number, name, birth) in enumerate(people))
    truth: dict[int, int] = {}
    chosen = rng.sample(range(n_students), n_rows)
    with (folder / "list.csv").open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["row_no", "raw_id", "name", "birth_date"])
        for offset, key in enumerate(chosen):
            row = offset + 2
            if rng.random() < 0.05:
                number, name, birth = new_person(1990, 2019)  # not a pupil
            else:
                number, name, birth = people[key]
                truth[row] = key
            raw = id_noise(number, birth, rng)
            if rng.random() < 0.05:
                name = variant(name, rng)
            out.writerow([row, raw, name, birth.isoformat() if rng.random() < 0.5 else ""])
    con = duckdb.connect()
    for stem in ("students", "list"):
        con.execute(f"COPY (SELECT * FROM read_csv('{folder / stem}.csv', all_varchar=true, header=true)) "
                    f"TO '{folder / stem}.parquet' (FORMAT parquet)")
    con.close()
    return truth


def run_ours(folder: Path) -> tuple[float, list[tuple[int, int, MatchKind]]]:
    """`match_files`: normalisation and exact join in DuckDB over the Parquet files, the fallback in Python."""
    start = time.perf_counter()
    result = match_files(folder / "students.parquet", folder / "list.parquet")
    elapsed = time.perf_counter() - start
    return elapsed, [(m.row, int(m.student), m.kind) for m in result.matches]  # type: ignore[call-overload]


def run_reference(folder: Path) -> tuple[float, float, list[tuple[int, int, MatchKind]]]:
    """The pure-Python `match` (the reference, used for small inputs): read both files into Python, then match."""
    start = time.perf_counter()
    con = duckdb.connect()
    s = con.execute(f"SELECT student_key, id_number, name, "
                    f"CAST(birth_date AS DATE) AS birth_date FROM read_parquet('{folder / 'students.parquet'}')"
                    ).fetchnumpy()
    students = Students(keys=s["student_key"].tolist(), id_numbers=s["id_number"].tolist(),
                        names=s["name"].tolist(), birth_dates=s["birth_date"].astype("datetime64[D]").tolist())
    rows = list(map(ListRow._make, con.execute(
        f"SELECT CAST(row_no AS INTEGER), raw_id, name, TRY_CAST(NULLIF(birth_date, '') AS DATE) "
        f"FROM read_parquet('{folder / 'list.parquet'}')").fetchall()))
    con.close()
    loaded = time.perf_counter()
    result = match(students, rows)
    elapsed = time.perf_counter() - start
    return elapsed, elapsed - (loaded - start), [(m.row, int(m.student), m.kind) for m in result.matches]  # type: ignore[call-overload]


def run_limit(folder: Path) -> tuple[float, list[tuple[int, int]]]:
    start = time.perf_counter()
    con = duckdb.connect()
    sql = LIMIT_SQL.format(rows=folder / "list.parquet", students=folder / "students.parquet", weights=WEIGHTS)
    pairs = [(int(r), int(k)) for r, k in con.execute(sql).fetchall()]
    con.close()
    return time.perf_counter() - start, pairs


def score(pairs: list[tuple[int, int]], truth: dict[int, int]) -> tuple[float, float, int]:
    correct = sum(1 for row, key in pairs if truth.get(row) == key)
    found_rows = {row for row, key in pairs if truth.get(row) == key}
    precision = correct / len(pairs) if pairs else 1.0
    return precision, len(found_rows) / len(truth), len(pairs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20251)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each side; the best is reported")
    ap.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = ap.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="aid-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        truth = generate(folder, args.students, args.rows, args.seed)
        print(f"generated {args.students:,} pupils and {args.rows:,} list rows "
              f"({len(truth):,} of them pupils) in {time.perf_counter() - t0:.1f} s (not timed below)")
        ours_times, limit_times = [], []
        ours: list[tuple[int, int, MatchKind]] = []
        limit: list[tuple[int, int]] = []
        for _ in range(args.repeat):
            elapsed, ours = run_ours(folder)
            ours_times.append(elapsed)
            elapsed, limit = run_limit(folder)
            limit_times.append(elapsed)
        t_reference, t_reference_match, reference = run_reference(folder)
        t_ours, t_limit = min(ours_times), min(limit_times)
        ratio = t_ours / t_limit
        print(f"\n{'':28}{'time (s)':>10}{'matches':>10}{'precision':>11}{'recall':>9}")
        for label, pairs, seconds in [
            ("ours: exact", [(r, k) for r, k, kind in ours if kind is MatchKind.EXACT], None),
            ("ours: flagged (for review)", [(r, k) for r, k, kind in ours if kind is MatchKind.FLAGGED], None),
            ("ours: exact + flagged", [(r, k) for r, k, _kind in ours], t_ours),
            ("limit: DuckDB join on ID", limit, t_limit),
        ]:
            precision, recall, count = score(pairs, truth)
            shown = f"{seconds:10.3f}" if seconds is not None else f"{'':10}"
            print(f"{label:28}{shown}{count:10,}{precision:11.4f}{recall:9.4f}")
        print(f"\nratio ours/limit = {ratio:.2f} (goal ≤ 2: {'met' if ratio <= 2 else 'NOT met'}); "
              f"best of {args.repeat}; runs ours {', '.join(f'{t:.2f}' for t in ours_times)}, "
              f"limit {', '.join(f'{t:.2f}' for t in limit_times)}")
        same = reference == ours
        print(f"reference (pure-Python match(), one run): {t_reference:.2f} s = reading the files into Python "
              f"{t_reference - t_reference_match:.2f} s + match() {t_reference_match:.2f} s; "
              f"same matches as ours: {'yes' if same else 'NO'}")
        return 0 if same else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
