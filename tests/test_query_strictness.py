"""Which query parameters a route takes once: lists (also optional or annotated) may repeat, the rest may not."""

from typing import Annotated

from fastapi import Query

from grants_shared.http.query import takes_many


def test_lists_tuples_and_sets_take_many_also_when_optional_or_annotated() -> None:
    assert takes_many(list[str]) and takes_many(tuple[int, ...]) and takes_many(set[str]) and takes_many(list)
    assert takes_many(list[str] | None) and takes_many(Annotated[list[str] | None, Query()])


def test_scalars_take_one_also_when_optional_or_annotated() -> None:
    assert not takes_many(str) and not takes_many(int | None)
    assert not takes_many(Annotated[str | None, Query(max_length=100)]) and not takes_many(None)
