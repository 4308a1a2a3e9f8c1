"""The one rule for free text a client sends: not blank, no control character, and storable in every database.

PostgreSQL text cannot hold NUL, no database can store a lone surrogate, and a control character (an escape, a DEL,
a C1 code) in a name or a note is at best noise on the checker's screen and at worst a terminal escape in an
operator's log. So each is a 422 `validation-error` at the door, never a 500 at the INSERT nor a value that travels on
in events. Two shapes:

- `line_rule(n)`: names, references, codes and ids: one line, so no tab or line break either, and no bidirectional
  override (U+202A-U+202E, U+2066-U+2069), which would make a payee's name read differently from what is stored.
- `text_rule(n)`: reasons, notes, narratives, summaries: tabs and line breaks are kept (a narrative has paragraphs).

Use either as the only metadata: `Annotated[str, line_rule(200)]`. The value is checked as sent, then stored trimmed
of outer white space; the OpenAPI document states the same rule as a `pattern`, so what it accepts is what the route
accepts. Every string field of every service's request bodies takes one of the two (tests/integration/test_free_text).
"""

import re
from dataclasses import dataclass
from typing import Any

from pydantic import AfterValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
"""Control characters (C0, DEL, C1) but tab, line feed and carriage return."""
LINE_CONTROL = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""Every control character, and the bidirectional overrides and isolates: what one line of text may not hold."""
PATTERN = rf"^[^{CONTROL}]*[^\s{CONTROL}][^{CONTROL}]*$"
"""At least one character that is not white space, and no control character but tab, line feed and return."""
LINE_PATTERN = rf"^[^{LINE_CONTROL}]*[^\s{LINE_CONTROL}][^{LINE_CONTROL}]*$"
"""At least one character that is not white space, and no control character at all."""
_SURROGATE = "\ud800-\udfff"
_REFUSED = re.compile(f"[{CONTROL}{_SURROGATE}]")
_REFUSED_IN_LINE = re.compile(f"[{LINE_CONTROL}{_SURROGATE}]")


def refusal(value: str, *, multiline: bool = True) -> str | None:
    """Why `value` is not acceptable text (a control character, a lone surrogate, only white space), else None."""
    found = (_REFUSED if multiline else _REFUSED_IN_LINE).search(value)
    if found is not None:
        return f"control characters are not allowed (U+{ord(found.group()):04X} at {found.start()})"
    if not value.strip():
        return "must not be blank"
    return None


@dataclass(frozen=True)
class TextRule:
    """Pydantic metadata for a `str`: 1 to `max_length` characters as sent, not blank, no control character."""

    max_length: int
    multiline: bool = True

    def check(self, value: str) -> str:
        """The value trimmed of outer white space, or a ValueError saying what is wrong with it."""
        reason = refusal(value, multiline=self.multiline)
        if reason is not None:
            raise ValueError(reason)
        return value.strip()

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """A string of at most `max_length` characters as sent (never stripped first: a model's
        `str_strip_whitespace` would drop a trailing control character unseen), then `check`."""
        return core_schema.no_info_after_validator_function(
            self.check, core_schema.str_schema(min_length=1, max_length=self.max_length, strip_whitespace=False)
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The string schema with the rule as its `pattern`."""
        json_schema = handler(schema)
        json_schema["pattern"] = PATTERN if self.multiline else LINE_PATTERN
        return json_schema


def text_rule(max_length: int) -> TextRule:
    """Free text of up to `max_length` characters that may span lines: reasons, notes, narratives."""
    return TextRule(max_length, multiline=True)


def line_rule(max_length: int) -> TextRule:
    """One line of up to `max_length` characters: names, references, codes, ids."""
    return TextRule(max_length, multiline=False)


def printable(value: str) -> str:
    """The value, unless it holds a control character (tab and line breaks aside) or a lone surrogate."""
    if _REFUSED.search(value):
        raise ValueError("control characters are not allowed")
    return value


PRINTABLE = AfterValidator(printable)
"""The control-character check alone, for a value with constraints of its own (text_rule and line_rule include it)."""
