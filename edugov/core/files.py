"""Uploaded files kept by content: evidence, plan documents, certificates."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

#: evidence attached to task reports and evaluation entries (cases configure theirs per case type; enrolment checks
#: the content of its few types)
EVIDENCE_SUFFIXES = frozenset({".pdf", ".docx", ".xlsx", ".doc", ".xls", ".jpg", ".jpeg", ".png", ".txt", ".ofd"})


def evidence_problem(name: str, data: bytes) -> str:
    """Why an evidence file is refused (type, size over ``EDUGOV_EVIDENCE_MAX_BYTES``, empty), in Chinese; "" if
    it is accepted."""
    limit = int(getattr(settings, "EDUGOV_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
    if Path(name).suffix.lower() not in EVIDENCE_SUFFIXES:
        return _("佐证材料“%(name)s”的类型不允许；允许：%(allowed)s。") % {
            "name": name, "allowed": "、".join(sorted(EVIDENCE_SUFFIXES))}
    if len(data) > limit:
        return _("佐证材料“%(name)s”超过 %(mb)s MB 上限。") % {"name": name, "mb": limit // (1024 * 1024)}
    if not data:
        return _("佐证材料“%(name)s”是空文件。") % {"name": name}
    return ""


def suffix_of(name: str) -> str:
    """The file's extension as stored: lower case, at most 10 characters ("" when there is none)."""
    return Path(name or "").suffix.lower()[:10]


def store_by_hash(folder: str, data: bytes, suffix: str) -> tuple[str, str]:
    """Keeps `data` at MEDIA_ROOT/<folder>/<sha256[:2]>/<sha256><suffix> and returns (path, sha256).

    Written under a temporary name and renamed, so a crash never leaves a half file under the final name; callers
    store the file before the rows that point at it, so the worst a crash leaves is an unreferenced file. The same
    content is stored once."""
    digest = hashlib.sha256(data).hexdigest()
    target = Path(settings.MEDIA_ROOT) / folder / digest[:2]
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{digest}{suffix}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return str(path), digest


def download(path: str, file_name: str) -> FileResponse:
    """A stored file as a download under its uploaded name (never shown inline: uploads are not trusted pages);
    a file gone from the disk is a 404."""
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 (FileResponse closes it)
    except OSError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=file_name)
