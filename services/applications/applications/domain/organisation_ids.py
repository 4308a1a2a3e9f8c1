"""360Giving-style organisation identifiers: a registered prefix and a register-specific number."""

import re

# Patterns follow each register's numbering (org-id.guide lists the prefixes).
PATTERNS: dict[str, re.Pattern[str]] = {
    "GB-CHC": re.compile(r"^\d{6,8}$"),  # Charity Commission for England and Wales
    "GB-COH": re.compile(r"^(?:\d{8}|[A-Z]{2}\d{6})$"),  # Companies House (e.g. 01234567, SC123456)
    "GB-SC": re.compile(r"^SC\d{6}$"),  # Scottish Charity Regulator
    "GB-NIC": re.compile(r"^\d{5,6}$"),  # Charity Commission for Northern Ireland
    "GB-MPR": re.compile(r"^[A-Z]{0,2}\d{1,6}[A-Z]{0,2}$"),  # Mutuals Public Register (e.g. 30034R, IP28316R)
    "GB-LAE": re.compile(r"^[A-Z]{3,4}$"),  # Local authorities in England (e.g. BIR)
}


def normalise_org_id(raw: str) -> str:
    """Upper-case and check an identifier like GB-CHC-1234567; ValueError says what is wrong."""
    value = raw.strip().upper()
    for prefix in sorted(PATTERNS, key=len, reverse=True):
        if value.startswith(prefix + "-"):
            number = value[len(prefix) + 1 :]
            if not PATTERNS[prefix].match(number):
                raise ValueError(f"{number!r} is not a valid {prefix} number")
            return value
    raise ValueError(f"org_id must start with one of {', '.join(sorted(PATTERNS))} followed by '-' and a number")
