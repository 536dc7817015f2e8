"""Input errors of the allocation engines: ValueError subclasses whose message is Chinese first, English after."""

from __future__ import annotations


class AllocationInputError(ValueError):
    """The input cannot be allocated as given (bad columns, duplicate ids, contradictory constraints, …)."""
