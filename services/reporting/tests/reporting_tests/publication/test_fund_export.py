"""The fund's own export at fund scale: the 225 left-behind wards' grants, projected from their events, published as
a 360Giving package that validates with no problem and says what the read models say, to the penny."""

from decimal import Decimal
from typing import Any

from reporting.publication.config import PublicationSettings
from reporting.publication.standard import Standard
from reporting.publication.validate import validate_package

from .fund import FUND_PENCE, WardStory


def pence(amount: Any) -> int:
    """A published amount in pence, read back exactly from its JSON number."""
    exact = Decimal(str(amount)) * 100
    assert exact == exact.to_integral_value(), amount
    return int(exact)


def test_the_fund_export_validates_with_no_problem(fund_package: dict[str, Any], standard: Standard) -> None:
    problems = validate_package(fund_package, standard, prefix=PublicationSettings().prefix)
    assert [str(p) for p in problems] == []
    assert len(fund_package["grants"]) == 225


def test_amounts_are_the_read_models_pence_exactly(fund_package: dict[str, Any], stories: list[WardStory]) -> None:
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


def test_each_grant_names_its_recipient_funder_and_places(
    fund_package: dict[str, Any], stories: list[WardStory]
) -> None:
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
