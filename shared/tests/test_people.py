"""One rule for "the same person": subjects normalised, issuers compared when both sides have one."""

from dataclasses import dataclass

import pytest

from grants_shared.auth import Principal, Role
from grants_shared.people import normal_subject, same_person


@dataclass(frozen=True)
class Issued:
    subject: str
    issuer: str


@pytest.mark.parametrize("other", ["fiona", "Fiona", " fiona ", "FIONA\t", "ｆｉｏｎａ"])
def test_case_whitespace_and_width_do_not_make_another_person(other: str) -> None:
    assert same_person("fiona", other)
    assert same_person(Principal(subject=other, roles=frozenset({Role.FINANCE_APPROVER})), "fiona")


@pytest.mark.parametrize(("a", "b"), [("fiona", "fionb"), ("fiona", ""), ("", ""), (None, None), ("fiona", None)])
def test_different_or_missing_people_are_not_the_same(a: str | None, b: str | None) -> None:
    assert not same_person(a, b)


def test_issuers_tell_people_apart_only_when_both_sides_have_one() -> None:
    assert not same_person(Issued("fiona", "https://idp.example"), Issued("fiona", "https://other.example"))
    assert same_person(Issued("fiona", "https://IDP.example"), Issued(" Fiona", "https://idp.example"))
    assert same_person(Issued("fiona", "https://idp.example"), "fiona")  # a stored subject: the stricter answer


def test_inner_whitespace_is_one_space() -> None:
    assert normal_subject("  Asha \u00a0 Patel ") == "asha patel"
