"""Evaluation of county governments (区县政府履行教育职责评价) and schools against versioned scoring schemes.

The scoring itself is the pure engine in :mod:`edugov.evaluation.engine`; see ``docs/evaluation.md``.
"""
