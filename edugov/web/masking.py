"""How personal data is shown when the user has not explicitly asked to see it in full (rules in edugov.lib.idcard,
shared with the API)."""

from __future__ import annotations

from edugov.lib.idcard import mask_birth_date, mask_id, mask_name
from edugov.lib.idcard import mask_embedded_ids as mask_number

__all__ = ["mask_birth_date", "mask_id", "mask_name", "mask_number"]
