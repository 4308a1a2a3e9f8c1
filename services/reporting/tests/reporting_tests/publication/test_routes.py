"""The publication routes: open without login, the same grants in JSON, CSV and XLSX, real grants only."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from grants_shared.events import Envelope, NeighbourhoodNeed

from ..story import Story, deliver


@dataclass
class SyntheticStory(Story):
    """A grant in a ward of a synthetic registry (a demonstration): never published."""

    def assessed(self) -> Envelope[Any]:
        envelope = super().assessed()
        need: NeighbourhoodNeed = envelope.payload.neighbourhood
        payload = envelope.payload.model_copy(update={"neighbourhood": need.model_copy(update={"synthetic": True})})
        return envelope.model_copy(update={"payload": payload})


def _fund(sessions: sessionmaker[Session]) -> list[Story]:
    stories = [Story(n=n, organisation_id=f"org-{n}", amount=100_000_001 * n) for n in (1, 2, 3)]
    for envelope in [stories[0].round_opened(), *(e for s in stories for e in s.up_to_award())]:
        deliver(sessions, envelope)
    for envelope in stories[0].paid_tranche(1, date(2026, 1, 5)):
        deliver(sessions, envelope)
    for envelope in SyntheticStory(n=4, organisation_id="org-4").up_to_award():
        deliver(sessions, envelope)
    return stories


def test_the_three_formats_are_open_and_agree(client: TestClient, sessions: sessionmaker[Session]) -> None:
    stories = _fund(sessions)
    package = client.get("/publication/360giving.json")
    assert package.status_code == 200, package.text
    grants = package.json()["grants"]
    assert [g["id"] for g in grants] == [f"360G-CWF-{s.grant_id}" for s in stories]  # the synthetic one left out
    assert [g["amountAwarded"] for g in grants] == [1_000_000.01, 2_000_000.02, 3_000_000.03]
    assert grants[0]["amountDisbursed"] == 250_000  # tranche 1: a quarter of the award, in whole pence
    assert grants[0]["recipientOrganization"] == [{"id": "360G-CWF-ORG-org-1", "name": "Resident partnership of Ward"}]

    sheet = client.get("/publication/360giving.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert [(r["Identifier"], r["Amount Awarded"]) for r in rows] == [
        (g["id"], str(g["amountAwarded"])) for g in grants
    ]
    assert rows[0]["Disbursement Transaction:0:Value"] == str(grants[0]["disbursementTransaction"][0]["value"])

    book = client.get("/publication/360giving.xlsx")
    assert book.status_code == 200 and 'filename="360giving.xlsx"' in book.headers["content-disposition"]
    values = list(load_workbook(io.BytesIO(book.content), read_only=True)["grants"].iter_rows(values_only=True))
    header = list(values[0])
    assert [(row[header.index("Identifier")], row[header.index("Amount Awarded")]) for row in values[1:]] == [
        (g["id"], g["amountAwarded"]) for g in grants
    ]


def test_a_bad_query_is_refused_with_a_problem(client: TestClient) -> None:
    response = client.get("/publication/360giving.json?format=xml")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
