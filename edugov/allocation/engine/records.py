"""Run records: what a verifier needs to repeat an allocation run and compare it byte for byte.

A record names the kind of run, the algorithm version, the parameters, the seed and its commitment, the SHA-256
of every input file and of the output file, and when it was made. It is written as canonical JSON (keys sorted,
UTF-8, no insignificant white space) so that two tools writing the same record write the same bytes.

Seed commitment: ``commit_seed(seed)`` is the lower-case hex SHA-256 of the seed's UTF-8 bytes. It is published
before the draw; revealing the seed at the draw lets anyone check it (``check_seed``), and any later change of
the seed would no longer match. A commitment hides the seed only if the seed is hard to guess, so a secret seed
must carry enough randomness (edugov proposes 32 hex digits from ``secrets``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

from .errors import AllocationInputError

Kind = Literal["classes", "match", "teams", "seats"]
KINDS: tuple[Kind, ...] = ("classes", "match", "teams", "seats")


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of the bytes."""
    return hashlib.sha256(data).hexdigest()


def commit_seed(seed: str) -> str:
    """The public commitment to a seed: hex SHA-256 of its UTF-8 bytes. Publish it before the draw."""
    return sha256_hex(str(seed).encode("utf-8"))


def check_seed(seed: str, commitment: str) -> bool:
    """Whether the revealed seed is the one committed to (constant-time comparison)."""
    return hmac.compare_digest(commit_seed(seed), commitment.strip().lower())


def now_iso() -> str:
    """The current UTC time as ISO 8601 to the second (the record's created_at)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class InputFile:
    """One input of a run: the name it was given under (a path or an upload name) and its SHA-256."""

    name: str
    sha256: str


@dataclass
class RunRecord:
    """Everything needed to repeat a run: kind, algorithm version, parameters, seed, commitment, input and output
    hashes. ``seed`` is None only for a matching run whose lotteries came with the input."""

    kind: Kind
    algorithm_version: str
    parameters: dict[str, Any]
    seed: str | None
    seed_commitment: str
    inputs: list[InputFile]
    output_sha256: str
    created_at: str
    output_name: str = ""
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces, non-ASCII kept as UTF-8 characters."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def to_bytes(self) -> bytes:
        return self.to_json().encode("utf-8")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        try:
            kind = data["kind"]
            if kind not in KINDS:
                raise AllocationInputError(f"运行记录的类型 {kind!r} 未知 (unknown kind)")
            seed = data.get("seed")
            return cls(
                kind=cast(Kind, kind),
                algorithm_version=str(data["algorithm_version"]),
                parameters=dict(data["parameters"]),
                seed=None if seed is None else str(seed),
                seed_commitment=str(data.get("seed_commitment") or ""),
                inputs=[InputFile(name=str(i["name"]), sha256=str(i["sha256"])) for i in data["inputs"]],
                output_sha256=str(data["output_sha256"]),
                created_at=str(data["created_at"]),
                output_name=str(data.get("output_name") or ""),
                warnings=[str(w) for w in data.get("warnings") or []],
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, AllocationInputError):
                raise
            raise AllocationInputError(f"运行记录格式不正确 (malformed run record): {exc}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> RunRecord:
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise AllocationInputError("运行记录不是 UTF-8 编码 (record is not UTF-8)") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AllocationInputError(f"运行记录不是有效的 JSON (invalid JSON): {exc}") from None
        if not isinstance(data, dict):
            raise AllocationInputError("运行记录必须是 JSON 对象 (record must be a JSON object)")
        return cls.from_dict(data)
