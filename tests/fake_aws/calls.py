"""The log of AWS API calls the fake has seen, served by ``GET /__fake/calls``, and the calls it
is handling right now, served by ``GET /__fake/inflight``."""

from __future__ import annotations

import threading
from collections import deque

MAX_CALLS = 20000  # bounded so a load test cannot grow the fake without limit


class CallLog:
    def __init__(self, maxlen: int = MAX_CALLS) -> None:
        self._lock = threading.Lock()
        self._calls: deque = deque(maxlen=maxlen)

    def append(self, record: dict) -> None:
        with self._lock:
            self._calls.append(record)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def list(self, filters: dict | None = None) -> list[dict]:
        """Records whose fields equal every filter, compared as strings (query values are
        strings); ``function=NAME`` also matches the name as the caller wrote it, and ``op`` is
        short for ``operation``."""
        with self._lock:
            calls = list(self._calls)
        if not filters:
            return calls
        return [c for c in calls if all(_field_matches(c, k, v) for k, v in filters.items())]


class InFlight:
    """The records of the calls being handled now (a call leaves when it is answered), so a test
    can wait until a request has reached the fake instead of sleeping."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[dict] = []

    def add(self, record: dict) -> None:
        with self._lock:
            self._records.append(record)

    def remove(self, record: dict) -> None:
        with self._lock:
            self._records = [r for r in self._records if r is not record]

    def list(self, filters: dict | None = None) -> list[dict]:
        with self._lock:
            records = [dict(r) for r in self._records]
        if not filters:
            return records
        return [c for c in records if all(_field_matches(c, k, v) for k, v in filters.items())]


_ALIASES = {"function": ("function", "functionNameArg"), "op": ("operation",)}


def _field_matches(record: dict, key: str, want: str) -> bool:
    keys = _ALIASES.get(key, (key,))
    for k in keys:
        value = record.get(k)
        if isinstance(value, bool):
            value = "true" if value else "false"
        if value is not None and str(value) == want:
            return True
    return False
