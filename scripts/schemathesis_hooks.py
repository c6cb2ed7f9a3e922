"""Schemathesis hooks for scripts/schemathesis.sh (loaded through schemathesis.toml).

Two rules of the API bind several query parameters together, which an OpenAPI document cannot
state. Requests that break them are answered 400 `invalid_query` (tested in tests/), so the
generator is kept from producing them instead of loosening the checks:

- match lists reach down to rank 1000 (`page × per_page ≤ MAX_MATCH_DEPTH` in
  src/matches/handlers.rs);
- a period's `from` is not after its `to` (connections, CSV export, statistics).
"""

import datetime

import schemathesis

MAX_MATCH_DEPTH = 1000
MATCH_PATHS = {"/api/v1/matches", "/api/v1/demands/{id}/matches", "/api/v1/supplies/{id}/matches"}
DEFAULT_PER_PAGE = 20


def _int(value, default):
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@schemathesis.hook
def filter_query(ctx, query):
    if not isinstance(query, dict) or ctx.operation is None:
        return True
    if ctx.operation.path in MATCH_PATHS:
        page, per_page = _int(query.get("page"), 1), _int(query.get("per_page"), DEFAULT_PER_PAGE)
        if page is not None and per_page is not None and page * per_page > MAX_MATCH_DEPTH:
            return False
    start, end = _date(query.get("from")), _date(query.get("to"))
    if start is not None and end is not None and start > end:
        return False
    return True
