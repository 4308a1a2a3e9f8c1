"""One grant in the 360Giving Data Standard (1.4.3), built from what reporting knows of it."""

import calendar
from datetime import date
from typing import Any

from grants_shared.clock import as_utc
from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.money import json_number, pounds
from reporting.read.publication.places import beneficiary_locations, place_phrase
from reporting.read.publication.source import Disbursement, GrantRecord

CURRENCY = "GBP"
THEMES_VOCABULARY = "Community Wealth Fund themes"
DECILE_VOCABULARY = "English Indices of Deprivation: IMD decile of the neighbourhood"


def grant_json(record: GrantRecord, settings: PublicationSettings) -> dict[str, Any]:
    """The grant as a 360Giving grant object (only the fields we know; none left empty)."""
    g, prefix = record.grant, settings.prefix
    awarded_on = g.awarded_at.date()
    grant: dict[str, Any] = {
        "id": f"{prefix}-{g.grant_id}",
        "title": f"{settings.funder_name}: {place_phrase(record)}",
        "description": _description(record, settings),
        "currency": CURRENCY,
        "amountAwarded": json_number(pounds(g.amount_pence - g.released_pence)),
        "awardDate": awarded_on.isoformat(),
        "plannedDates": [_planned(awarded_on, g.duration_months)],
        "recipientOrganization": [_recipient(record, prefix)],
        "fundingOrganization": [{"id": settings.funder_id(), "name": settings.funder_name}],
        "beneficiaryLocation": beneficiary_locations(record),
        "classifications": _classifications(record),
        "dateModified": _modified(record),
    }
    if record.round_name is not None:
        grant["grantProgramme"] = [{"code": g.round_id, "title": record.round_name}]
    if record.disbursements:
        paid = sum(d.amount_pence for d in record.disbursements)
        grant["amountDisbursed"] = json_number(pounds(paid))
        grant["disbursementTransaction"] = [_transaction(d, prefix) for d in record.disbursements]
    return grant


def _description(record: GrantRecord, settings: PublicationSettings) -> str:
    g = record.grant
    words = (
        f"A {settings.funder_name} grant to the resident partnership of {place_phrase(record)}, "
        f"over {g.duration_months} months, for the neighbourhood's own priorities."
    )
    rationale = record.payload("allocation-decided").get("rationale")
    return f"{words} Why it was funded: {rationale}" if rationale else words


def _planned(start: date, months: int) -> dict[str, Any]:
    return {"startDate": start.isoformat(), "endDate": _add_months(start, months).isoformat(), "duration": months}


def _add_months(start: date, months: int) -> date:
    years, month_index = divmod(start.month - 1 + months, 12)
    year, month = start.year + years, month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _recipient(record: GrantRecord, prefix: str) -> dict[str, Any]:
    submitted = record.payload("application-submitted")
    # An organisation without an org-id on the events is named by the fund's own prefix, as 360Giving advises.
    org_id = submitted.get("organisation_org_id") or f"{prefix}-ORG-{record.grant.organisation_id}"
    name = submitted.get("organisation_name") or f"Resident partnership of {place_phrase(record)}"
    return {"id": org_id, "name": name}


def _classifications(record: GrantRecord) -> list[dict[str, Any]]:
    themes = record.payload("application-submitted").get("themes") or []
    found = [{"vocabulary": THEMES_VOCABULARY, "code": theme, "title": theme.replace("_", " ")} for theme in themes]
    if record.grant.imd_decile is not None:
        decile = str(record.grant.imd_decile)
        found.append({"vocabulary": DECILE_VOCABULARY, "code": decile, "title": f"IMD decile {decile}"})
    return found


def _transaction(paid: Disbursement, prefix: str) -> dict[str, Any]:
    return {
        "id": f"{prefix}-{paid.instruction_id}",
        "transactionDate": paid.settled_on.isoformat(),
        "currency": CURRENCY,
        "value": json_number(pounds(paid.amount_pence)),
        "description": f"Tranche {paid.tranche_number}",
    }


def _modified(record: GrantRecord) -> str:
    g = record.grant
    latest = max(as_utc(moment) for moment in (g.awarded_at, g.amount_at, g.completed_at) if moment is not None)
    return latest.strftime("%Y-%m-%dT%H:%M:%SZ")
