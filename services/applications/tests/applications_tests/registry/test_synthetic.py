"""The synthetic registry: deterministic, labelled, same shapes as the real one."""

from __future__ import annotations

from applications.adapters.registry import RegistryImport, synthetic_registry


def test_deterministic_for_a_seed() -> None:
    assert synthetic_registry() == synthetic_registry(seed=0, wards=60)
    assert synthetic_registry(7).vintage.inputs_hash == synthetic_registry(7).vintage.inputs_hash
    assert synthetic_registry(7).vintage.inputs_hash != synthetic_registry(8).vintage.inputs_hash
    assert synthetic_registry(7).wards != synthetic_registry(8).wards


def test_labelled_and_clearly_fake() -> None:
    registry = synthetic_registry(seed=3, wards=40)
    assert registry.vintage.name.startswith("synthetic-") and registry.vintage.is_synthetic
    assert all(w.code.startswith("SYN") and w.region_code.startswith("SYN") for w in registry.wards)
    assert all(lsoa.code.startswith("SYN") for lsoa in registry.lsoas)


def test_shapes() -> None:
    registry: RegistryImport = synthetic_registry()
    assert len(registry.wards) == 60
    assert [w.code for w in registry.wards] == sorted(w.code for w in registry.wards)
    assert sum(w.lsoa_count for w in registry.wards) == len(registry.lsoas)
    assert len({w.region_code for w in registry.wards}) >= 3
    left_behind = registry.left_behind_wards()
    assert len(left_behind) == 15
    for ward in registry.wards:
        assert ward.population > 0 and ward.lsoa_codes and ward.cni is not None
        assert ward.left_behind == ward.cni.left_behind
        assert ward.cni.score == ward.cni.civic_assets_score + ward.cni.connectedness_score + (
            ward.cni.engaged_community_score
        )
    assert sorted(lsoa.imd_rank for lsoa in registry.lsoas) == list(range(1, len(registry.lsoas) + 1))


def test_small_registry() -> None:
    registry = synthetic_registry(seed=1, wards=3)
    assert len(registry.wards) == 3 and len(registry.left_behind_wards()) == 1
