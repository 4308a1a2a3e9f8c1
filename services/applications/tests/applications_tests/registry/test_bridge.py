"""The LSOA 2011 -> 2021 bridge and ward IoD2025 means, on small files made here (no reference data needed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from applications.adapters.registry import Domains, RegistryFileError, mean_3dp
from applications.adapters.registry.bridge import read_bridge, ward_iod2025
from applications.adapters.registry.model import Lsoa21Measures, ScoredMeasure
from applications.adapters.registry.sources import BRIDGE

HEADER = "\ufeffObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW\r\n"


def _bridge(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / BRIDGE
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{i},{a},Somewhere {i},{b},Somewhere {i},E06000001,Hartlepool," for i, (a, b) in enumerate(rows, 1)]
    path.write_bytes((HEADER + "\r\n".join(lines)).encode())
    return tmp_path


@pytest.mark.parametrize(
    ("values", "mean"),
    [
        (["1.000", "2.000"], "1.500"),
        (["57.129", "48.137", "64.605", "42.479", "16.364"], "45.743"),  # Norton South, by hand: 228.714 / 5
        (["0.0005", "0"], "0.000"),  # 0.00025: below half a thousandth
        (["0.001", "0.002"], "0.002"),  # 0.0015: a tie goes to the even thousandth
        (["0.005", "0"], "0.002"),  # 0.0025: a tie goes to the even thousandth
        (["-1.771", "-2.22"], "-1.996"),  # -1.9955: a tie
    ],
)
def test_the_mean_is_exact_and_rounded_half_even(values: list[str], mean: str) -> None:
    assert mean_3dp([Decimal(v) for v in values]) == Decimal(mean)


def _scores(code: str, imd: str) -> Lsoa21Measures:
    one = ScoredMeasure(Decimal(imd), 1, 1)
    return Lsoa21Measures(code, one, Domains.of([one] * 7))


class _Ward:
    def __init__(self, code: str, lsoas: tuple[str, ...]) -> None:
        self.code, self.lsoa_codes = code, lsoas


def test_a_ward_averages_the_distinct_best_fits_of_its_lsoas() -> None:
    bridge = {"A1": "X", "A2": "X", "A3": "Y", "B1": "Y", "B2": "Z"}  # A1+A2 merged; Y spans both wards
    scores = {c: _scores(c, v) for c, v in (("X", "10"), ("Y", "20"), ("Z", "31"))}
    wards = ward_iod2025([_Ward("A", ("A1", "A2", "A3")), _Ward("B", ("B1", "B2"))], bridge, scores)  # type: ignore[list-item]
    assert (wards["A"].lsoa21_codes, wards["A"].imd_score_mean) == (("X", "Y"), Decimal("15.000"))
    assert (wards["B"].lsoa21_codes, wards["B"].imd_score_mean) == (("Y", "Z"), Decimal("25.500"))
    assert wards["B"].domain_score_means.income == Decimal("25.500")


def test_the_bridge_keeps_english_rows_and_refuses_what_does_not_join(tmp_path: Path) -> None:
    root = _bridge(tmp_path, [("E01000001", "E01000001"), ("E01000002", "E01033000"), ("W01000001", "W01000001")])
    bridge, parsed = read_bridge(root, {"E01000001", "E01000002"}, {"E01000001", "E01033000"})
    assert bridge == {"E01000001": "E01000001", "E01000002": "E01033000"} and len(parsed.rows) == 3


@pytest.mark.parametrize(
    ("rows", "lsoa11", "line", "reason"),
    [
        ([("E01000001", "E01000001"), ("E01000001", "E01000002")], {"E01000001"}, 3, "duplicate code E01000001"),
        ([("E01000001", "E01099999")], {"E01000001"}, 2, "E01099999 (best fit of E01000001) is not in the IoD2025"),
        ([("E01000001", "E01000001")], {"E01000001", "E01000002"}, 3, "1 IoD2019 LSOA(s) have no best-fit LSOA21"),
        ([("E01000001", "E01000001"), ("E01000003", "E01000002")], {"E01000001"}, 3, "E01000003 is not in the IoD"),
    ],
)
def test_a_bridge_that_does_not_join_is_refused_with_its_line(
    tmp_path: Path, rows: list[tuple[str, str]], lsoa11: set[str], line: int, reason: str
) -> None:
    with pytest.raises(RegistryFileError) as caught:
        read_bridge(_bridge(tmp_path, rows), lsoa11, {"E01000001", "E01000002"})
    assert caught.value.line_number == line and reason in caught.value.reason
    assert caught.value.path.name == Path(BRIDGE).name
