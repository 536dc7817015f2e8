"""Signals the import sends.

``statistics_applied`` is sent after an import has been applied (its transaction has ended), with ``pairs``: the
frozenset of (unit id, school year) for which statistics rows were written (new or changed, including the
enrolment and class aggregates derived from person records). ``edugov.indicators`` listens to refresh its stored
values. Receivers run through ``send_robust``: a failing receiver is logged and never undoes the import.
"""

from __future__ import annotations

from django.dispatch import Signal

statistics_applied = Signal()
