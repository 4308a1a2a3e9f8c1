"""Least first against population: money and grants by IMD decile and by region beside the share of people."""

from typing import Any

from reporting.domain.position import share_bp
from reporting.read.dashboard_population import Population

DECILES = [str(d) for d in range(1, 11)]


def _row(key: str, name: str, got: dict[str, int], people: int, totals: tuple[int, int, int]) -> dict[str, Any]:
    pence, grants = got.get("committed_pence", 0), got.get("grants", 0)
    all_pence, all_grants, all_people = totals
    return {
        "key": key,
        "name": name,
        "committed_pence": pence,
        "grants": grants,
        "people": people,
        "money_share_bp": share_bp(pence, all_pence),
        "grants_share_bp": share_bp(grants, all_grants),
        "people_share_bp": share_bp(people, all_people),
    }


def share_against_population(least_first: dict[str, Any], population: Population | None) -> dict[str, Any]:
    """Per decile and per region: committed pence, grants, people, and each as basis points of its whole.

    `least_first` is the fund position's block (committed pence and grants per key); a key with grants but no
    people (an unknown decile, a region outside England) is listed with 0 people.
    """
    by_decile, by_region = least_first["by_decile"], least_first["by_region"]
    people_decile = population.by_decile if population else {}
    people_region = population.by_region if population else {}
    names = population.region_names if population else {}
    all_pence = sum(v["committed_pence"] for v in by_decile.values())
    all_grants = sum(v["grants"] for v in by_decile.values())
    totals = (all_pence, all_grants, population.total if population else 0)
    decile_keys = DECILES + sorted(k for k in by_decile if k not in DECILES)
    region_keys = sorted(set(by_region) | set(people_region))
    return {
        "population_source": "IoD2019 population denominators (mid-2015)" if population else None,
        "by_decile": [
            _row(k, f"Decile {k}", by_decile.get(k, {}), people_decile.get(k, 0), totals) for k in decile_keys
        ],
        "by_region": [
            _row(k, names.get(k, k), by_region.get(k, {}), people_region.get(k, 0), totals) for k in region_keys
        ],
    }
