"""Stored inputs documents read back byte for byte, with and without the registry they were scored against."""

import json

from allocation.domain.inputs import PoolApplication, RunInputs, parse
from allocation_tests.seed import need

APP = PoolApplication(
    application_id="a1",
    organisation_id="o1",
    partnership_id="p1",
    neighbourhood_code="E05000001",
    requested_pence=150_000_000,
    duration_months=120,
    assessed_eligible=True,
    assessment_failures=(),
    partnership_compliant=True,
    partnership_failures=(),
)
WARDS = (need(2).model_dump(mode="json"), need(1).model_dump(mode="json"))


def test_a_document_written_before_registries_were_recorded_reads_back_unchanged() -> None:
    old = RunInputs({"budget_pence": 1}, WARDS, (APP,))
    assert "registry" not in json.loads(old.canonical())
    again = parse(old.canonical())
    assert again.canonical() == old.canonical() and again.sha256() == old.sha256() and again.registry is None


def test_the_registry_is_part_of_the_document_and_of_its_hash() -> None:
    registry = {"source": "registry", "vintage": "v1", "inputs_hash": "h" * 64, "wards": 2, "from_assessments": 0}
    with_registry = RunInputs({"budget_pence": 1}, WARDS, (APP,), registry)
    again = parse(with_registry.canonical())
    assert again.registry == registry and again.canonical() == with_registry.canonical()
    assert with_registry.sha256() != RunInputs({"budget_pence": 1}, WARDS, (APP,)).sha256()
    assert [n["code"] for n in json.loads(with_registry.canonical())["neighbourhoods"]] == ["E05000001", "E05000002"]
