"""Text a client may send: not blank, no control characters, and storable in every database.

PostgreSQL text cannot hold NUL and no database can store a lone surrogate, so both are a 422 at the door rather
than a 500 at the INSERT. Tabs and line breaks are kept (a narrative has paragraphs).
"""

from pydantic import AfterValidator, StringConstraints

CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
PATTERN = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"
"""At least one character that is not white space, and no control character but tab, line feed and return."""


def printable(value: str) -> str:
    """The value, unless it holds a control character (tab and line breaks aside) or a lone surrogate."""
    if any(ord(c) < 32 and c not in "\t\n\r" or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("control characters are not allowed")
    return value


PRINTABLE = AfterValidator(printable)


def text_rule(max_length: int) -> StringConstraints:
    """1 to `max_length` characters after stripping outer white space, not blank, no control characters.

    Use with PRINTABLE (which the pattern cannot express: lone surrogates): `Annotated[str, text_rule(200), PRINTABLE]`.
    """
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=PATTERN)
