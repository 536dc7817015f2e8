"""How personal data is shown when the user has not explicitly asked to see it in full."""

from __future__ import annotations

import datetime as dt
import re

from edugov.lib.idcard import mask_id, mask_name

__all__ = ["mask_birth_date", "mask_id", "mask_name", "mask_number"]

# A 学籍号 is often "G" + the pupil's ID number, so a student number can leak the ID number it was built from.
_ID_RUN = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def mask_number(value: str) -> str:
    """Masks any ID-number-like run of digits inside a registration number; other numbers are shown as they are."""
    return _ID_RUN.sub(lambda match: mask_id(match.group()), value or "")


def mask_birth_date(value: dt.date | None) -> str:
    """Year and month only: enough to judge a pupil's age for the grade, not enough to identify them."""
    return f"{value:%Y-%m}" if value is not None else ""
