"""Pure allocation engines (no Django): verifiable randomness, balanced classes, admission matching.

Everything here is deterministic in its inputs and seed; see docs/allocation.md for the exact algorithms.
"""

ALGORITHM_VERSION = "edugov-allocation/0.1"
