"""A route's query string read strictly: the parameters it takes, and those given more often than it takes them.

FastAPI ignores a parameter a route does not take and keeps only the last of a repeated one (`?grant_id=a&grant_id=b`
filters by `b`). Both would let a misspelt or doubled filter silently change a search, so services refuse them.
`StrictQuery` refuses them in the platform's `validation-error` shape, on every service.
"""

import re
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from pydantic import BeforeValidator

from grants_shared.http.problems import Problem

MANY = (list, tuple, set, frozenset)


def query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route takes, its dependencies' included."""
    return {p.alias for p in dependant.query_params}.union(*(query_names(d) for d in dependant.dependencies))


def single_valued(dependant: Dependant) -> set[str]:
    """The query parameters a route takes one value of (every one not declared as a list)."""
    once = {p.alias for p in dependant.query_params if not takes_many(p.field_info.annotation)}
    return once.union(*(single_valued(d) for d in dependant.dependencies))


def takes_many(annotation: Any) -> bool:
    """True for a list, tuple or set annotation, also inside Optional, a union or Annotated."""
    if annotation in MANY or get_origin(annotation) in MANY:
        return True
    if get_origin(annotation) in (Union, UnionType, Annotated):
        return any(takes_many(arg) for arg in get_args(annotation))
    return False


def unknown(request: Request, dependant: Dependant) -> list[str]:
    """The query parameters given that the route does not take, sorted."""
    return sorted(set(request.query_params) - names_of(dependant)[0])


def repeated(request: Request, dependant: Dependant) -> list[str]:
    """The single-valued query parameters given more than once, sorted."""
    return sorted(name for name in names_of(dependant)[1] if len(request.query_params.getlist(name)) > 1)


_NAMES: dict[int, tuple[Dependant, frozenset[str], frozenset[str]]] = {}


def names_of(dependant: Dependant) -> tuple[frozenset[str], frozenset[str]]:
    """A route's query names and single-valued names, walked once per route (the tree never changes)."""
    known = _NAMES.get(id(dependant))
    if known is None or known[0] is not dependant:  # an id may be reused once a route is gone (tests' apps)
        known = (dependant, frozenset(query_names(dependant)), frozenset(single_valued(dependant)))
        _NAMES[id(dependant)] = known
    return known[1], known[2]


async def strict_query(request: Request) -> None:
    """Refuse (422 `validation-error`) a query parameter the route does not take, or takes once and got twice.

    Async because it never waits: FastAPI runs it on the event loop instead of handing it to a worker thread.
    """
    if not request.scope.get("query_string"):
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    errors = [
        {"loc": ["query", name], "msg": "unknown query parameter", "type": "extra_forbidden"}
        for name in unknown(request, dependant)
    ]
    errors += [
        {"loc": ["query", name], "msg": "given more than once", "type": "repeated"}
        for name in repeated(request, dependant)
    ]
    if errors:
        raise Problem(
            422, "validation-error", "The request is not valid", "See `errors` for each field.", errors=errors
        )


StrictQuery = [Depends(strict_query)]
"""A router's `dependencies=` that makes every route of it read its query string strictly."""


def iso_date(value: object) -> object:
    """Only YYYY-MM-DD is a date here: pydantic alone would also read "1024" as seconds since 1970."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is YYYY-MM-DD")
    return value


def iso_moment(value: object) -> object:
    """Only an ISO 8601 date or date-time is a moment here (not "1024", seconds since 1970)."""
    if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a moment is an ISO 8601 date or date-time")
    return value


ISO_DATE = BeforeValidator(iso_date)
"""Metadata for a date query parameter: `Annotated[date | None, Query(...), ISO_DATE]`."""
ISO_MOMENT = BeforeValidator(iso_moment)
"""Metadata for a date-time query parameter: `Annotated[datetime | None, Query(...), ISO_MOMENT]`."""
