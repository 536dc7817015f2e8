"""Uploaded files are kept by content."""

from __future__ import annotations

from pathlib import Path

from edugov.core.files import store_by_hash, suffix_of


def test_the_same_content_is_stored_once_under_its_hash_with_a_lower_case_suffix(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = store_by_hash("evidence", b"%PDF-1.4 proof", suffix_of("验收报告.PDF"))
    again = store_by_hash("evidence", b"%PDF-1.4 proof", suffix_of("copy.PDF"))
    assert first == again
    path, digest = first
    assert Path(path).read_bytes() == b"%PDF-1.4 proof"
    assert Path(path).name == f"{digest}.pdf" and Path(path).parent.name == digest[:2]
    assert not list(tmp_path.rglob("*.part"))
    assert suffix_of("no-extension") == ""
