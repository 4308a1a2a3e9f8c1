"""A route's query string read strictly: the parameters it takes, and those given more often than it takes them.

FastAPI ignores a parameter a route does not take and keeps only the last of a repeated one (`?grant_id=a&grant_id=b`
filters by `b`). Both would let a misspelt or doubled filter silently change a search, so services refuse them; this
module finds them, each service answers in its own problem shape.
"""

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant

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
    return sorted(set(request.query_params) - query_names(dependant))


def repeated(request: Request, dependant: Dependant) -> list[str]:
    """The single-valued query parameters given more than once, sorted."""
    return sorted(name for name in single_valued(dependant) if len(request.query_params.getlist(name)) > 1)
