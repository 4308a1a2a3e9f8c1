"""What the 360Giving publication needs from applications travels on its events: the organisation's org-id and name
on application-submitted, the ward's local authority and LSOAs (codes and names) on application-assessed."""

from typing import Any

from fastapi.testclient import TestClient

from .conftest import Applicant
from .kit import OPERATOR, application_body, outbox_events


def test_submitted_and_assessed_events_carry_what_is_published(
    client: TestClient, applicant: Applicant, sessions: Any
) -> None:
    created = client.post(
        "/applications", json=application_body(applicant.partnership["id"]), headers=applicant.headers
    )
    submitted = client.post(f"/applications/{created.json()['id']}/submit", headers=applicant.headers)
    assert submitted.status_code == 200, submitted.text
    org = client.get(f"/organisations/{applicant.org_id}", headers=OPERATOR).json()
    ward = client.get(f"/neighbourhoods/{applicant.ward}", headers=OPERATOR).json()

    (_, sent), (_, assessed) = outbox_events(sessions)[-2:]
    assert (sent["payload"]["organisation_org_id"], sent["payload"]["organisation_name"]) == (
        org["org_id"],
        org["name"],
    )
    need = assessed["payload"]["neighbourhood"]
    assert (need["lad_code"], need["lad_name"]) == (ward["lad_code"], ward["lad_name"])
    assert need["lsoas"] == [{"code": lsoa["code"], "name": lsoa["name"]} for lsoa in ward["lsoas"]] != []
