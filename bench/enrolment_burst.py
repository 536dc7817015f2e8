"""Enrolment burst: many parents registering at the same moment, against the real server on PostgreSQL.

    python bench/enrolment_burst.py [--registrations 5000] [--clients 200] [--retry-share 0.1] [--time-limit 300]
                                    [--pg-server postgres://postgres@127.0.0.1:5432/test] [--keep]

One run: creates a throwaway database ``edugov_bench_<pid>`` on the server, migrates it, creates a district with
five primary schools, an open round, one parent account with an API token per client and a one-table reference
(``bench_plain_insert``); starts the site under waitress exactly as ``edugov serve`` does (8 threads) in a child
process with DATABASE_URL pointing at that database; then 200 client threads POST the registrations to
``/enrol/api/<public_id>/applications/`` (the JSON endpoint of the enrolment app: token auth, the same
``services.submit_application`` as the parent's form, audit and events included), a share of them sent a second time
with the same idempotency key, concurrently with the first. It checks in the database that every key answered
201/200 has exactly one application (0 lost) and that no key or child has two (0 duplicated), and prints
throughput and p95 latency. Then, in the same server process, the same clients POST the same number of rows to a
plain Django view that inserts one row with one SQL statement (the reference; mounted only in this bench process by
overriding ROOT_URLCONF, never in production URLs), and the ratio ours / plain is printed (goal ≥ 0.7).
The database is dropped at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAIN_TABLE = "bench_plain_insert"
SCHOOLS = [("2137020101", 1200), ("2137020102", 1100), ("2137020103", 1000), ("2137020104", 900),
           ("2137020105", 800)]


# ----------------------------------------------------------------------------------------------------------------
# child process: prepare the database, and serve


def _django(db_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["EDUGOV_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "edugov.settings"
    import django

    django.setup()


def prepare(db_url: str, data_dir: str, clients: int) -> dict[str, Any]:
    """Migrates and creates the district, the schools, an open round, the parents with tokens and the plain table."""
    _django(db_url, data_dir)
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from edugov.enrolment import services
    from edugov.enrolment.models import ParentAccount
    from edugov.registry import services as registry

    call_command("migrate", interactive=False, verbosity=0)
    opened = dt.date(2000, 9, 1)
    city = registry.open_unit(actor=None, code="370200", kind="city", name="示范市", opened_on=opened,
                              attributes={"division_code": "370200"})
    county = registry.open_unit(actor=None, code="370202", kind="county", name="东区", parent=city,
                                opened_on=opened, attributes={"division_code": "370202"})
    User = get_user_model()
    admin = User.objects.create(username="bench_admin", is_superuser=True, is_staff=True,
                                password=make_password(None))
    now = timezone.now()
    rnd = services.create_round(actor=admin, unit=county, kind="primary", year=now.year + 1,
                                name="压力测试招生", opens_at=now - dt.timedelta(hours=1),
                                closes_at=now + dt.timedelta(days=1))
    for n, (code, seats) in enumerate(SCHOOLS, start=1):
        school = registry.open_unit(actor=None, code=code, kind="school", name=f"东区第{n}小学", parent=county,
                                    opened_on=opened, attributes={"school_type_code": "211",
                                                                  "urban_rural_code": "111", "sponsor_code": "831",
                                                                  "is_public": True})
        services.add_school(actor=admin, rnd=rnd, school=school, capacity=seats)
    rnd = services.open_round(actor=admin, rnd=rnd)
    unusable = make_password(None)
    parents = User.objects.bulk_create([User(username=f"parent{i:03d}", password=unusable) for i in range(clients)])
    ParentAccount.objects.bulk_create(ParentAccount(user=u, phone="13900000000") for u in parents)
    tokens = [Token.objects.create(user=u).key for u in parents]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PLAIN_TABLE} (id bigserial PRIMARY KEY, key varchar(64) NOT NULL UNIQUE, "
                       "body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
    assert rnd.born_from is not None
    return {"public_id": rnd.public_id, "round_id": rnd.pk, "tokens": tokens,
            "born_from": rnd.born_from.isoformat()}


def serve(db_url: str, data_dir: str, port: int) -> None:
    """The site under waitress as ``edugov serve`` runs it, plus the plain reference view for this process only."""
    _django(db_url, data_dir)
    from django.conf import settings
    from django.db import connection
    from django.http import HttpRequest, JsonResponse
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt
    from waitress import serve as waitress_serve

    @csrf_exempt
    def plain_insert(request: HttpRequest) -> JsonResponse:
        """The reference: parse the JSON body and insert one row; no auth, checks or audit."""
        data = json.loads(request.body)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {PLAIN_TABLE} (key, body) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                           [data["key"], json.dumps(data, ensure_ascii=False)])
        return JsonResponse({"ok": True}, status=201)

    module = sys.modules[__name__]
    module.urlpatterns = [path("bench/plain-insert/", plain_insert), path("", include("edugov.urls"))]  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = __name__
    from edugov.wsgi import application

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" on every burst
    waitress_serve(application, host="127.0.0.1", port=port, threads=8, ident="edugov", _quiet=True)


# ----------------------------------------------------------------------------------------------------------------
# load


class Client:
    """One connection per request (``Connection: close``), as independent browsers would: waitress, like
    ``edugov serve``, holds at most 100 open connections, so 200 keep-alive clients would starve half of them."""

    def __init__(self, port: int) -> None:
        self.port = port

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, float]:
        data = json.dumps(body, ensure_ascii=False).encode()
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request("POST", path, body=data, headers={"Content-Type": "application/json",
                                                           "Connection": "close", **headers})
            response = conn.getresponse()
            response.read()
            return response.status, time.perf_counter() - started
        except (http.client.HTTPException, OSError):
            return 0, time.perf_counter() - started
        finally:
            conn.close()


def _id_number(born_from: str, i: int) -> str:
    import datetime as dt

    from edugov.lib.idcard import check_digit

    birth = dt.date.fromisoformat(born_from) + dt.timedelta(days=i % 360)
    first17 = f"370202{birth:%Y%m%d}{i // 360 + 1:03d}"
    return first17 + check_digit(first17)


def burst(port: int, setup: dict[str, Any], registrations: int, clients: int, retry_share: float,
          time_limit: float) -> dict[str, Any]:
    tokens = setup["tokens"]
    path = f"/enrol/api/{setup['public_id']}/intake/"
    client = Client(port)
    codes = [code for code, _seats in SCHOOLS]
    retry_every = max(1, round(1 / retry_share)) if retry_share > 0 else 0
    jobs: list[tuple[int, bool]] = []
    for i in range(registrations):
        jobs.append((i, False))
        if retry_every and i % retry_every == 0:
            jobs.append((i, True))  # the same key again, in flight at about the same time
    deadline = time.monotonic() + time_limit
    results: list[tuple[int, bool, int, float]] = []
    lock = threading.Lock()

    def one(job: tuple[int, bool]) -> None:
        i, retry = job
        if time.monotonic() > deadline:
            return
        body = {"idempotency_key": f"burst-{i}", "child_name": f"压测儿童{i}", "id_number": _id_number(
            setup["born_from"], i), "guardian_name": "压测家长", "guardian_phone": "13900000000",
                "address": "东区压测路1号", "choices": [{"school": codes[(i + r) % len(codes)],
                                                      "tier": "local_property"} for r in range(1 + i % 3)]}
        status, seconds = client.post(path, body, {"Authorization": f"Token {tokens[i % len(tokens)]}"})
        with lock:
            results.append((i, retry, status, seconds))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, jobs))
    elapsed = time.perf_counter() - started
    return {"results": results, "elapsed": elapsed, "jobs": len(jobs)}


def plain(port: int, count: int, clients: int, time_limit: float) -> dict[str, Any]:
    client = Client(port)
    deadline = time.monotonic() + time_limit
    results: list[tuple[int, bool, int, float]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        if time.monotonic() > deadline:
            return
        status, seconds = client.post("/bench/plain-insert/", {"key": f"plain-{i}", "name": f"压测儿童{i}",
                                                               "address": "东区压测路1号"}, {})
        with lock:
            results.append((i, False, status, seconds))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(count)))
    return {"results": results, "elapsed": time.perf_counter() - started, "jobs": count}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/enrol/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--registrations", type=int, default=5000)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--retry-share", type=float, default=0.1)
    ap.add_argument("--time-limit", type=float, default=300.0, help="seconds per phase; later requests are not sent")
    ap.add_argument("--pg-server", default="postgres://postgres@127.0.0.1:5432/test")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--child", nargs=4, metavar=("ROLE", "DB_URL", "DATA_DIR", "ARG"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        role, db_url, data_dir, arg = a.child
        if role == "prepare":
            print(json.dumps(prepare(db_url, data_dir, int(arg))))
        else:
            serve(db_url, data_dir, int(arg))
        return 0

    import tempfile

    import psycopg

    name = f"edugov_bench_{os.getpid()}"
    base = a.pg_server.rsplit("/", 1)[0]
    db_url = f"{base}/{name}"
    admin = psycopg.connect(a.pg_server, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    server: subprocess.Popen[bytes] | None = None
    data_dir = tempfile.mkdtemp(prefix="edugov_bench_")
    try:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--child", "prepare", db_url, data_dir, str(a.clients)],
                             check=True, capture_output=True, text=True).stdout
        setup = json.loads(out.strip().splitlines()[-1])
        print(f"数据库 {name}：迁移并建立招生轮次、5 所学校、{a.clients} 个家长账号，"
              f"用时 {time.perf_counter() - t0:.1f} 秒")
        port = _free_port()
        server = subprocess.Popen([sys.executable, __file__, "--child", "serve", db_url, data_dir, str(port)])
        _wait(port, server)
        print(f"服务 http://127.0.0.1:{port}/（waitress，8 线程，与 edugov serve 相同）")

        ours = burst(port, setup, a.registrations, a.clients, a.retry_share, a.time_limit)
        # The receipts are given; now wait until the server's worker has filed every one (受理 → 登记).
        drain_started = time.perf_counter()
        with psycopg.connect(db_url) as conn:
            while conn.execute("SELECT count(*) FROM enrolment_intake WHERE processed_at IS NULL").fetchone()[0]:
                if time.perf_counter() - drain_started > a.time_limit:
                    break
                time.sleep(0.2)
        drained = time.perf_counter() - drain_started
        reference = plain(port, a.registrations, a.clients, a.time_limit)

        with psycopg.connect(db_url) as conn:
            per_key = dict(conn.execute(
                "SELECT idempotency_key, count(*) FROM enrolment_application WHERE round_id = %s "
                "GROUP BY idempotency_key", [setup["round_id"]]).fetchall())
            dup_children = conn.execute(
                "SELECT count(*) FROM (SELECT id_number FROM enrolment_application WHERE round_id = %s "
                "GROUP BY id_number HAVING count(*) > 1) d", [setup["round_id"]]).fetchone()
            plain_rows = conn.execute(f"SELECT count(*) FROM {PLAIN_TABLE}").fetchone()
        ok_keys = {f"burst-{i}" for i, _r, status, _s in ours["results"] if status in (200, 202)}
        sent_keys = {f"burst-{i}" for i, _r, _status, _s in ours["results"]}
        lost = sum(1 for key in ok_keys if per_key.get(key, 0) != 1)
        duplicated = sum(1 for n in per_key.values() if n > 1) + int(dup_children[0] if dup_children else 0)
        statuses: dict[int, int] = {}
        for _i, _r, status, _s in ours["results"]:
            statuses[status] = statuses.get(status, 0) + 1
        replays = sum(1 for _i, retry, status, _s in ours["results"] if retry and status in (200, 202))

        def line(label: str, run: dict[str, Any]) -> tuple[float, float]:
            done = [s for _i, _r, status, s in run["results"] if status in (200, 201, 202)]
            rate = len(done) / run["elapsed"] if run["elapsed"] else 0.0
            print(f"{label:<34} {len(run['results']):>6} 请求 {len(done):>6} 成功 {run['elapsed']:7.1f} 秒 "
                  f"{rate:8.1f} 次/秒  p95 {p95(done) * 1000:7.0f} ms")
            return rate, p95(done)

        print()
        ours_rate, ours_p95 = line("报名受理 ours (/enrol/api/…/intake/)", ours)
        plain_rate, plain_p95 = line("纯插入视图 plain Django insert", reference)
        print()
        print(f"报名 registrations: {a.registrations}，其中重发 retried {ours['jobs'] - a.registrations}"
              f"（同一防重复编号），并发 {a.clients}；HTTP 状态 {dict(sorted(statuses.items()))}")
        print(f"已受理的编号 {len(ok_keys)} / 已发送 {len(sent_keys)}；数据库中报名 {sum(per_key.values())}；"
              f"重发得到同一报名 {replays}")
        print(f"丢失 lost: {lost}   重复 duplicated: {duplicated}   纯插入行数 plain rows: "
              f"{plain_rows[0] if plain_rows else 0}")
        filed = sum(per_key.values())
        end_to_end = filed / (ours["elapsed"] + drained) if ours["elapsed"] + drained else 0.0
        print(f"受理后登记 filing: {filed} 份报名在受理结束后 {drained:.1f} 秒内全部登记（同样的核验、事件与审计）；"
              f"端到端 end-to-end {end_to_end:.1f} 份/秒")
        ratio = ours_rate / plain_rate if plain_rate else 0.0
        print(f"吞吐比 ours/plain: {ratio:.2f}（目标 ≥ 0.7）；p95 {ours_p95 * 1000:.0f} ms 对 "
              f"{plain_p95 * 1000:.0f} ms")
        return 0 if lost == 0 and duplicated == 0 else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if a.keep:
            print(f"保留数据库 {name}")
        else:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
