"""Who is "the same person": one rule for every maker-checker comparison on the platform.

A person is their token's issuer and subject. Subjects are compared after Unicode NFKC normalisation, case folding
and trimming, so `Fiona`, ` fiona ` and the full-width `ｆｉｏｎａ` are one person. Most records keep only the subject
(`released_by`, `requested_by`, ...): when either side has no issuer the subjects alone decide, which can only
refuse more, never let one person act twice.
"""

import unicodedata
from typing import Protocol


class Person(Protocol):
    """Anything naming a caller: a `Principal` (with its issuer when the token had one)."""

    @property
    def subject(self) -> str:
        """The token's subject."""
        ...


Someone = Person | str | None


def normal_subject(subject: str) -> str:
    """A subject as compared: NFKC, case folded, inner runs of whitespace made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", subject).casefold().split())


def _issuer(person: Someone) -> str:
    issuer = getattr(person, "issuer", None)
    return normal_subject(issuer) if isinstance(issuer, str) else ""


def _subject(person: Someone) -> str:
    if person is None:
        return ""
    return normal_subject(person if isinstance(person, str) else person.subject)


def same_person(a: Someone, b: Someone) -> bool:
    """Whether `a` and `b` name one person (a Principal or a stored subject); nobody is never anyone."""
    subject_a, subject_b = _subject(a), _subject(b)
    if not subject_a or not subject_b or subject_a != subject_b:
        return False
    issuer_a, issuer_b = _issuer(a), _issuer(b)
    return not issuer_a or not issuer_b or issuer_a == issuer_b
