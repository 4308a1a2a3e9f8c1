"""Where a grant benefits, in ONS codes with their names: the ward, its local authority, region and LSOAs."""

from typing import Any

from reporting.read.publication.source import GrantRecord

COUNTRY = "GB"
# 360Giving's geoCodeType for a local authority district, by the first three characters of its ONS code.
AUTHORITY_TYPES = {"E06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "W06": "UA"}


def place_phrase(record: GrantRecord) -> str:
    """The ward by name and its local authority, e.g. "Hartcliffe & Withywood, Bristol" (codes if names are unknown)."""
    need = record.neighbourhood
    ward = need.get("name") or record.grant.neighbourhood_code
    authority = need.get("lad_name")
    return f"{ward}, {authority}" if authority else ward


def beneficiary_locations(record: GrantRecord) -> list[dict[str, Any]]:
    """The ward (WD), its local authority when known, its region and each of its LSOAs, with names and codes."""
    need = record.neighbourhood
    ward_code = record.grant.neighbourhood_code
    found = [_location(ward_code, need.get("name") or ward_code, "WD")]
    lad_code, lad_type = need.get("lad_code"), AUTHORITY_TYPES.get(str(need.get("lad_code"))[:3])
    if lad_code and lad_type:
        found.append(_location(lad_code, need.get("lad_name") or lad_code, lad_type))
    region_code = record.grant.region_code
    found.append(_location(region_code, need.get("region_name") or region_code, "RGN/GOR"))
    found += [_location(lsoa["code"], lsoa["name"], "LSOA") for lsoa in need.get("lsoas") or []]
    return found


def _location(code: str, name: str, code_type: str) -> dict[str, Any]:
    return {"name": name, "geoCode": code, "geoCodeType": code_type, "countryCode": COUNTRY}
