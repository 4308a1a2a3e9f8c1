"""Reading the registry through the API: filters, pagination, one ward's detail, vintages."""

from typing import Any

from fastapi.testclient import TestClient

from grants_shared.auth import Role

from .kit import auth

READER = auth(Role.INTEGRATOR)
ITEM_KEYS = {
    "code",
    "name",
    "region_code",
    "region_name",
    "population",
    "imd_mean_rank",
    "imd_decile",
    "cni_score",
    "left_behind",
    "vintage",
    "synthetic",
}


def test_neighbourhoods_are_listed_by_code_with_their_measures(client: TestClient, registry: Any) -> None:
    page = client.get("/neighbourhoods?limit=10&offset=5", headers=READER).json()
    assert (page["total"], page["limit"], page["offset"]) == (60, 10, 5)
    assert [n["code"] for n in page["items"]] == [w.code for w in registry.wards[5:15]]
    first = page["items"][0]
    assert ITEM_KEYS <= set(first) and first["vintage"] == "synthetic-seed0-wards60" and first["synthetic"] is True
    ward = registry.wards[5]
    assert first["imd_mean_rank"] == float(ward.imd_rank_mean_2dp) and first["population"] == ward.population
    assert first["cni_score"] == float(ward.cni.score)


def test_neighbourhoods_filter_by_left_behind_region_and_decile(client: TestClient, registry: Any) -> None:
    flagged = client.get("/neighbourhoods?left_behind=true&limit=200", headers=READER).json()
    assert [n["code"] for n in flagged["items"]] == [w.code for w in registry.left_behind_wards()]
    region = registry.wards[0].region_code
    in_region = client.get(f"/neighbourhoods?region={region}&limit=200", headers=READER).json()
    assert in_region["total"] == sum(w.region_code == region for w in registry.wards) > 0
    assert all(n["region_code"] == region for n in in_region["items"])
    decile_1 = client.get("/neighbourhoods?imd_decile=1&limit=200", headers=READER).json()
    assert decile_1["total"] > 0 and all(n["imd_decile"] == 1 for n in decile_1["items"])
    assert client.get("/neighbourhoods?region=NOWHERE", headers=READER).json()["total"] == 0


def test_one_neighbourhood_has_its_lsoas_and_measures(client: TestClient, registry: Any) -> None:
    ward = registry.wards[0]
    detail = client.get(f"/neighbourhoods/{ward.code}", headers=READER).json()
    assert detail["lsoa_codes"] == list(ward.lsoa_codes) and len(detail["lsoas"]) == ward.lsoa_count
    assert detail["imd_decile_counts"] == list(ward.imd_decile_counts) and detail["imd_rank_min"] == ward.imd_rank_min
    assert set(detail["domain_rank_means"]) == {
        "income",
        "employment",
        "education",
        "health",
        "crime",
        "barriers",
        "living_environment",
    }
    assert detail["cni_domains"]["civic_assets"]["rank"] == ward.cni.civic_assets_rank


def test_vintages_are_listed_with_the_one_in_force(client: TestClient, registry: Any) -> None:
    vintages = client.get("/registry/vintages", headers=READER).json()
    [v] = vintages["items"]
    assert v["in_force"] and v["inputs_hash"] == registry.vintage.inputs_hash and v["left_behind_count"] == 15
    assert v["sources"][0]["rows"] == 292 and v["has_left_behind_flag"] is True
