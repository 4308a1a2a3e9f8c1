"""A small, deterministic, clearly fake registry with the same shapes as the official import."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from decimal import Decimal

from .aggregate import WardGeography, aggregate_wards
from .domains import Domains
from .model import CniMeasures, LsoaMeasures, RegistryImport, SourceFile, Vintage

REGIONS = ("North", "Midlands", "East", "South", "West")


def _ranks(scores: Sequence[float]) -> list[int]:
    """Rank 1 = highest score; ties broken by position, so ranks are a permutation of 1..n."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    ranks = [0] * len(scores)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.3f}")


def _decile(rank: int, n: int) -> int:
    return (rank - 1) * 10 // n + 1


def synthetic_registry(seed: int = 0, wards: int = 60) -> RegistryImport:
    """Make a fake registry (codes SYN..., vintage "synthetic-..."), about a quarter of wards left behind."""
    if wards < 1:
        raise ValueError("wards must be at least 1")
    rng = random.Random(seed)
    need = [rng.random() for _ in range(wards)]
    geography: dict[str, WardGeography] = {}
    members: list[tuple[str, str, float]] = []  # (lsoa code, ward code, deprivation score)
    for w in range(wards):
        lad = w // 4 + 1
        region = (lad - 1) % len(REGIONS)
        code = f"SYN{w + 1:04d}"
        geography[code] = WardGeography(
            code,
            f"Synthetic Ward {w + 1}",
            f"SYNLAD{lad:02d}",
            f"Synthetic District {lad}",
            f"SYNRGN{region + 1}",
            f"Synthetic {REGIONS[region]}",
        )
        for _ in range(rng.randint(3, 7)):
            members.append((f"SYNL{len(members) + 1:05d}", code, need[w] + rng.gauss(0, 0.15)))
    n = len(members)
    imd = _ranks([m[2] for m in members])
    domains = [_ranks([m[2] + rng.gauss(0, 0.3) for m in members]) for _ in range(7)]
    lsoas = [
        LsoaMeasures(
            code=code,
            name=f"Synthetic Neighbourhood {i + 1}",
            lad19_code=geography[ward].lad_code,
            lad19_name=geography[ward].lad_name,
            imd_rank=imd[i],
            imd_decile=_decile(imd[i], n),
            domain_ranks=Domains.of(d[i] for d in domains),
            domain_deciles=Domains.of(_decile(d[i], n) for d in domains),
            population=rng.randint(1000, 3000),
            ward_code=ward,
        )
        for i, (code, ward, _) in enumerate(members)
    ]
    parts = [[_dec(10 + 40 * x + rng.gauss(0, 5)) for x in need] for _ in range(3)]
    totals = [a + b + c for a, b, c in zip(*parts, strict=True)]
    ranks = [_ranks([float(v) for v in values]) for values in (totals, *parts)]
    flagged = set(sorted(range(wards), key=lambda w: (ranks[0][w], w))[: max(1, round(wards / 4))])
    cni = {
        f"SYN{w + 1:04d}": CniMeasures(
            totals[w],
            ranks[0][w],
            parts[0][w],
            ranks[1][w],
            parts[1][w],
            ranks[2][w],
            parts[2][w],
            ranks[3][w],
            w in flagged,
        )
        for w in range(wards)
    }
    content = "\n".join(repr(x) for x in (*lsoas, *sorted(cni.items()))).encode()
    source = SourceFile(f"synthetic:seed={seed},wards={wards}", hashlib.sha256(content).hexdigest(), n)
    vintage = Vintage.build(f"synthetic-seed{seed}-wards{wards}", "synthetic-v1", [source])
    return RegistryImport(vintage, tuple(lsoas), aggregate_wards(lsoas, geography, cni))
