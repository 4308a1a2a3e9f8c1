"""Validating a 360Giving package: the JSON schema (draft 2020-12, dates checked), the codelists and the rules of the
standard that the schema leaves to publishers (identifier prefix, org-id shape, unique grant ids)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from reporting.read.publication.standard import CODELIST_FILES, Standard

# The 1.4.3 package schema still points at the 1.4.2 grant-schema URL: the local grant schema answers both.
GRANT_SCHEMA_URLS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
)
GRANT_ID = re.compile(r"^360G-[A-Za-z0-9_-]+[-:_/.]?\S*$")
# org-id.guide: a list code (country or XI/XM, then the register) and the register's identifier; or a 360G- id
ORG_ID = re.compile(r"^(?:[A-Z]{2}-[A-Z0-9]{2,}-\S+|360G-\S+)$")


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a package: where (a JSON path) and what, in words."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def validate_package(package: Any, standard: Standard, prefix: str | None = None) -> list[Finding]:
    """Every problem of `package` (empty when it is valid); `prefix`, when given, is required of every grant id."""
    found = [*_schema_problems(package, standard), *_codelist_problems(package, standard)]
    if isinstance(package, dict) and isinstance(package.get("grants"), list):
        found += _rule_problems(package["grants"], prefix)
    return list(dict.fromkeys(found))  # one message per place, whichever check found it first


def _validator(standard: Standard) -> Draft202012Validator:
    grant = Resource.from_contents(standard.grant_schema, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resources((url, grant) for url in GRANT_SCHEMA_URLS)
    return Draft202012Validator(
        standard.package_schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _schema_problems(package: Any, standard: Standard) -> Iterator[Finding]:
    for error in _validator(standard).iter_errors(package):
        yield Finding(_path(error.absolute_path), _message(error))


def _message(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "enum" and "codelist" in schema:
        return _not_in_codelist(error.instance, schema["codelist"])
    if error.validator == "oneOf" and any("pattern" in branch for branch in schema.get("oneOf", [])):
        return f"{error.instance!r} is not a date (YYYY-MM-DD) or a date-time"
    if error.validator == "oneOf" and error.context:
        return _closest_branch(error.context)
    return str(error.message)


def _closest_branch(context: list[ValidationError]) -> str:
    # The grant is oneOf (recipient organisation | recipient individual): report the branch it came closest to.
    branches: dict[Any, list[str]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub.message)
    fewest: list[str] = min(branches.values(), key=lambda messages: len(messages))
    return "; ".join(fewest)


def _not_in_codelist(value: Any, codelist: str) -> str:
    return f"{value!r} is not a code of the {codelist} codelist"


def _codelist_problems(node: Any, standard: Standard, path: tuple[Any, ...] = ()) -> Iterator[Finding]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _codelist_problems(item, standard, (*path, index))
    elif isinstance(node, dict):
        for key, value in node.items():
            codes = standard.codelists.get(key)
            if codes is not None and isinstance(value, str) and value not in codes:
                yield Finding(_path((*path, key)), _not_in_codelist(value, CODELIST_FILES[key]))
            yield from _codelist_problems(value, standard, (*path, key))


def _rule_problems(grants: list[Any], prefix: str | None) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, grant in enumerate(grants):
        if not isinstance(grant, dict) or not isinstance(grant.get("id"), str):
            continue
        where, grant_id = f"grants/{index}", grant["id"]
        if not GRANT_ID.match(grant_id):
            yield Finding(f"{where}/id", f"{grant_id!r} does not start with a 360G- identifier prefix")
        elif prefix is not None and not grant_id.startswith(f"{prefix}-"):
            yield Finding(f"{where}/id", f"{grant_id!r} does not start with the fund's prefix {prefix}-")
        if grant_id in seen:
            yield Finding(f"{where}/id", f"{grant_id!r} is the identifier of an earlier grant")
        seen.add(grant_id)
        yield from _org_id_problems(grant, where)


def _org_id_problems(grant: dict[str, Any], where: str) -> Iterator[Finding]:
    for role in ("recipientOrganization", "fundingOrganization"):
        for index, org in enumerate(grant.get(role) or []):
            org_id = org.get("id") if isinstance(org, dict) else None
            if isinstance(org_id, str) and not ORG_ID.match(org_id):
                yield Finding(f"{where}/{role}/{index}/id", f"{org_id!r} is not an org-id (e.g. GB-CHC-1234567)")


def _path(parts: Any) -> str:
    return "/".join(str(part) for part in parts) or "(package)"
