"""360Giving-style organisation identifiers: a registered prefix and a register-specific number."""

import re

# Each register's numbering (org-id.guide lists the prefixes), as upper-case regular expressions.
NUMBERS: dict[str, str] = {
    "GB-CHC": r"[0-9]{6,8}",  # Charity Commission for England and Wales
    "GB-COH": r"(?:[0-9]{8}|[A-Z]{2}[0-9]{6})",  # Companies House (e.g. 01234567, SC123456)
    "GB-SC": r"SC[0-9]{6}",  # Scottish Charity Regulator
    "GB-NIC": r"[0-9]{5,6}",  # Charity Commission for Northern Ireland
    "GB-MPR": r"[A-Z]{0,2}[0-9]{1,6}[A-Z]{0,2}",  # Mutuals Public Register (e.g. 30034R, IP28316R)
    "GB-LAE": r"[A-Z]{3,4}",  # Local authorities in England (e.g. BIR)
}
# ASCII: no letter or digit outside A-Z and 0-9 passes, whatever the regex engine.
PATTERNS = {prefix: re.compile(f"^{number}$", re.ASCII) for prefix, number in NUMBERS.items()}


def _either_case(source: str) -> str:
    """A regular expression matching what `source` matches, in upper or lower case (ECMA-262 has no (?i))."""
    source = source.replace("[A-Z]", "[A-Za-z]")
    out, in_class, escaped = [], False, False
    for c in source:
        if escaped or c == "\\":
            escaped = not escaped and c == "\\"
            out.append(c)
            continue
        in_class = (in_class or c == "[") and c != "]"
        out.append(f"[{c}{c.lower()}]" if c.isupper() and not in_class else c)
    return "".join(out)


# What clients may send, as the OpenAPI document states it: any register's form, either case, spaces around.
SCHEMA_PATTERN = "^ *(?:" + "|".join(_either_case(f"{p}-{n}") for p, n in NUMBERS.items()) + ") *$"


def normalise_org_id(raw: str) -> str:
    """Upper-case and check an identifier like GB-CHC-1234567; ValueError says what is wrong."""
    value = raw.strip(" ").upper()
    if not value.isascii():
        raise ValueError("org_id must be ASCII letters, digits and '-'")
    for prefix in sorted(PATTERNS, key=len, reverse=True):
        if value.startswith(prefix + "-"):
            number = value[len(prefix) + 1 :]
            if not PATTERNS[prefix].match(number):
                raise ValueError(f"{number!r} is not a valid {prefix} number")
            return value
    raise ValueError(f"org_id must start with one of {', '.join(sorted(PATTERNS))} followed by '-' and a number")
