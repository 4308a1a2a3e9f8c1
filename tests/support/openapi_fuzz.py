"""Schemathesis against a service's OpenAPI document, in process: no 5xx, and every response as documented.

Schemathesis' Python API drives the app (its pytest loader fails under pytest 9.2). Every operation gets valid and
invalid requests, with made-up ids and with the ids of the objects that exist. Every check runs but one: "schema-valid
data is accepted" cannot hold where an answer depends on stored facts, which an OpenAPI document cannot state; each
service's test says which answers those are.
"""

import time
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

Api = tuple[FastAPI, dict[str, str]]
"""An app and the ids of objects that exist in it, by path parameter name."""


def _sendable(value: Any) -> bool:
    """A query value the client really sends as what it is.

    None or an empty list would vanish (the case with it); a one-item list goes on the wire as its item, so
    `offset=[0.0]`, "negative" as an array, is the request `offset=0.0`, whose value is a valid integer. Lists of two
    or more are sent as a repeated parameter, which the services refuse.
    """
    scalar = (str, int, float, bool)
    return isinstance(value, scalar) or (
        isinstance(value, list) and len(value) >= 2 and all(isinstance(v, scalar) for v in value)
    )


def fuzz(api: Api, examples: int, headers: dict[str, str]) -> None:
    """Every operation, `examples` cases each, sent with `headers`; all operations' findings are reported together."""
    app, ids = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, start, operations = [], time.perf_counter(), 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if known:
            strategies.append(operation.as_strategy(path_parameters=known))

        @given(case=st.one_of(strategies))
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def honours_the_document(case: Any) -> None:
            # A query value that is not a scalar or a list of them is not sent: that "negative" case is a valid request.
            assume(all(_sendable(v) for v in (case.query or {}).values()))
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            honours_the_document()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # each operation's findings are collected, so one run shows them all
            failures.append(f"{operation.label}: {error!r}"[:3000])
    print(f"\n[schemathesis] {operations} operations x {examples} examples: {time.perf_counter() - start:.1f} s")
    assert failures == [], "\n\n".join(failures)
