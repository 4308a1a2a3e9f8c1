"""The fund's own export at fund scale: the 225 left-behind wards' grants, projected from their events, published as
a 360Giving package that validates with no problem and says what the read models say, to the penny."""

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook

from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.flat import csv_bytes, xlsx_bytes
from reporting.read.publication.standard import Standard
from reporting.read.publication.validate import validate_package

from .fund import FUND_PENCE, WardStory
from .unflatten import as_decimals, unflatten


def pence(amount: Any) -> int:
    """A published amount in pence, read back exactly from its JSON number."""
    exact = Decimal(str(amount)) * 100
    assert exact == exact.to_integral_value(), amount
    return int(exact)


def test_the_fund_export_validates_and_its_csv_and_xlsx_say_the_same(
    fund_package: dict[str, Any], standard: Standard
) -> None:
    problems = validate_package(fund_package, standard, prefix=PublicationSettings().prefix)
    assert [str(p) for p in problems] == []
    assert len(fund_package["grants"]) == 225
    expected = [as_decimals(grant) for grant in fund_package["grants"]]
    schema = standard.grant_schema
    rows = csv.DictReader(io.StringIO(csv_bytes(fund_package).decode("utf-8-sig")))
    assert [unflatten(row, schema) for row in rows] == expected
    sheet = load_workbook(io.BytesIO(xlsx_bytes(fund_package)), read_only=True)["grants"]
    header, *body = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [unflatten(dict(zip(header, row, strict=True)), schema) for row in body] == expected


def test_the_export_says_what_the_read_models_say(fund_package: dict[str, Any], stories: list[WardStory]) -> None:
    _amounts_are_exact(fund_package, stories)
    _names_are_given(fund_package, stories)


def _amounts_are_exact(fund_package: dict[str, Any], stories: list[WardStory]) -> None:
    grants = {g["id"]: g for g in fund_package["grants"]}
    assert sum(pence(g["amountAwarded"]) for g in grants.values()) == FUND_PENCE
    for story in stories:
        grant = grants[f"360G-CWF-{story.grant_id}"]
        assert pence(grant["amountAwarded"]) == story.amount
        paid = [1] if story.n != 2 else []
        paid += [2] if story.n % 3 == 0 else []
        values = [pence(t["value"]) for t in grant.get("disbursementTransaction", [])]
        assert values == [story.tranche_amount] * len(paid), story.n
        assert [t["description"] for t in grant.get("disbursementTransaction", [])] == [f"Tranche {n}" for n in paid]
        assert pence(grant.get("amountDisbursed", 0)) == story.tranche_amount * len(paid)


def _names_are_given(fund_package: dict[str, Any], stories: list[WardStory]) -> None:
    grants = {g["id"]: g for g in fund_package["grants"]}
    for story in stories:
        grant, ward = grants[f"360G-CWF-{story.grant_id}"], story.place
        assert grant["recipientOrganization"] == [{"id": story.org_id, "name": story.org_name}]
        assert grant["fundingOrganization"] == [{"id": "360G-CWF", "name": "Community Wealth Fund"}]
        places = {(p["geoCodeType"], p["geoCode"]): p["name"] for p in grant["beneficiaryLocation"]}
        assert places[("WD", ward.code)] == ward.name
        assert places[("RGN/GOR", ward.region_code)] == ward.region_name
        assert {code: name for (kind, code), name in places.items() if kind == "LSOA"} == {
            lsoa.code: lsoa.name for lsoa in ward.lsoas
        }
        assert ward.lsoas, f"{ward.code} has LSOAs in the official lookup"
        assert grant["plannedDates"] == [{"startDate": "2026-01-05", "endDate": "2036-01-05", "duration": 120}]
        assert ward.name in grant["title"] and ward.lad_name in grant["title"]
