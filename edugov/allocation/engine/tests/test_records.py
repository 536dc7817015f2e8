from __future__ import annotations

import hashlib
import json

import pytest

from edugov.allocation.engine.errors import AllocationInputError
from edugov.allocation.engine.records import InputFile, RunRecord, check_seed, commit_seed


def _record() -> RunRecord:
    return RunRecord(kind="teams", algorithm_version="v", parameters={"classes": 3, "command": "teams"}, seed="种子-1",
                     seed_commitment=commit_seed("种子-1"), inputs=[InputFile("教师组.csv", "ab" * 32)],
                     output_sha256="cd" * 32, created_at="2026-11-25T00:00:00+00:00")


def test_commitment_is_the_sha256_of_the_utf8_seed():
    assert commit_seed("2024") == hashlib.sha256(b"2024").hexdigest()
    assert commit_seed("种子") == hashlib.sha256("种子".encode()).hexdigest()


def test_check_seed_accepts_the_committed_seed_and_refuses_any_other():
    c = commit_seed("secret-seed")
    assert check_seed("secret-seed", c)
    assert check_seed("secret-seed", c.upper())
    assert not check_seed("secret-seed ", c)
    assert not check_seed("other", c)


def test_record_json_is_canonical_with_sorted_keys_and_utf8():
    text = _record().to_json()
    assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert "教师组.csv" in text
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_record_round_trips_through_json_and_bytes():
    rec = _record()
    assert RunRecord.from_json(rec.to_json()) == rec
    assert RunRecord.from_json(rec.to_bytes()) == rec


@pytest.mark.parametrize("text", ["not json", "[1]", '{"kind": "teams"}', '{"kind": "lottery"}'])
def test_malformed_records_are_refused_with_a_chinese_message(text):
    with pytest.raises(AllocationInputError, match="运行记录"):
        RunRecord.from_json(text)
