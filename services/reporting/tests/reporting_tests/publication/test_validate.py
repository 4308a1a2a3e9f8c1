"""The validator against the real publishers' files (no problem) and broken variants made here (the right message)."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reporting.read.publication.standard import Standard
from reporting.read.publication.validate import validate_package

SAMPLES = ("a001p00000zgyHZAAY.json", "a003W000001B7PzQAK.json", "covid19_tracker_grants_2020-04-16.json")


def sample(standard_dir: Path, name: str) -> dict[str, Any]:
    """A real publisher's package from the standard's samples folder."""
    path = standard_dir / "samples" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real publishers' files come with the reference data")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("name", SAMPLES)
def test_real_publishers_files_validate_with_no_problem(standard_dir: Path, standard: Standard, name: str) -> None:
    package = sample(standard_dir, name)
    assert len(package["grants"]) > 300
    assert [str(p) for p in validate_package(package, standard)] == []


def _location_grant(standard_dir: Path) -> dict[str, Any]:
    # A real grant with an LSOA beneficiary location, so every broken variant starts from a valid grant.
    grants = sample(standard_dir, SAMPLES[2])["grants"]
    return next(g for g in grants if any(loc.get("geoCodeType") == "LSOA" for loc in g.get("beneficiaryLocation", [])))


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda grant: grant.pop(key)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda grant: grant.update({key: value})


def _set_location(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda grant: grant["beneficiaryLocation"][0].update({key: value})


def _set_recipient(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda grant: grant["recipientOrganization"][0].update({"id": value})


BROKEN = [
    (_drop("amountAwarded"), "grants/0: 'amountAwarded' is a required property"),
    (_set("amountAwarded", "10000"), "grants/0/amountAwarded: '10000' is not of type 'number'"),
    (_set("currency", "GPB"), "grants/0/currency: 'GPB' is not a code of the currency.csv codelist"),
    (
        _set_location("geoCodeType", "WARD"),
        "grants/0/beneficiaryLocation/0/geoCodeType: 'WARD' is not a code of the geoCodeType.csv codelist",
    ),  # fmt: skip
    (
        _set_location("countryCode", "UK"),
        "grants/0/beneficiaryLocation/0/countryCode: 'UK' is not a code of the countryCode.csv codelist",
    ),  # fmt: skip
    (_set("awardDate", "2020-13-45"), "grants/0/awardDate: '2020-13-45' is not a date (YYYY-MM-DD) or a date-time"),
    (_set("awardDate", "17/03/2020"), "grants/0/awardDate: '17/03/2020' is not a date (YYYY-MM-DD) or a date-time"),
    (_set("id", "WCT2962"), "grants/0/id: 'WCT2962' does not start with a 360G- identifier prefix"),
    (
        _set_recipient("1136547"),
        "grants/0/recipientOrganization/0/id: '1136547' is not an org-id (e.g. GB-CHC-1234567)",
    ),
]


@pytest.mark.parametrize(("damage", "message"), BROKEN, ids=[message.split(": ")[1][:30] for _, message in BROKEN])
def test_a_broken_grant_fails_with_the_right_message(
    standard_dir: Path, standard: Standard, damage: Callable[[dict[str, Any]], None], message: str
) -> None:
    grant = copy.deepcopy(_location_grant(standard_dir))
    assert validate_package({"grants": [grant]}, standard) == []
    damage(grant)
    assert [str(p) for p in validate_package({"grants": [grant]}, standard)] == [message]


def test_the_funds_prefix_and_unique_ids_are_required(standard_dir: Path, standard: Standard) -> None:
    grant = _location_grant(standard_dir)
    found = [str(p) for p in validate_package({"grants": [grant, {**grant, "title": "again"}]}, standard, "360G-CWF")]
    assert found == [
        f"grants/0/id: {grant['id']!r} does not start with the fund's prefix 360G-CWF-",
        f"grants/1/id: {grant['id']!r} does not start with the fund's prefix 360G-CWF-",
        f"grants/1/id: {grant['id']!r} is the identifier of an earlier grant",
    ]


def test_a_package_without_grants_is_refused(standard: Standard) -> None:
    assert [str(p) for p in validate_package({"grants": []}, standard)] == ["grants: [] should be non-empty"]
