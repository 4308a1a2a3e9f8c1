"""The package as the flat sheet 360Giving publishers use: one row per grant, columns titled as the standard's
spreadsheet template titles them (e.g. `Recipient Org:Identifier`, `Beneficiary Location:0:Geographic Code`)."""

import csv
import io
from typing import Any

from openpyxl import Workbook

# Grant fields in column order: (JSON key, column title, field titles of its objects or None for a plain value).
# The standard's template gives one-per-grant organisations and programmes unnumbered titles, and numbers the items of
# lists that may hold several (locations, classifications, transactions) from 0.
ORG = (("id", "Identifier"), ("name", "Name"))
EVENT = (("startDate", "Start Date"), ("endDate", "End Date"), ("duration", "Duration (months)"))
LOCATION = (("name", "Name"), ("geoCode", "Geographic Code"), ("geoCodeType", "Geographic Code Type"),
            ("countryCode", "Country Code"))  # fmt: skip
CLASSIFICATION = (("vocabulary", "Vocabulary"), ("code", "Code"), ("title", "Title"))
PROGRAMME = (("code", "Code"), ("title", "Title"))
TRANSACTION = (("id", "Identifier"), ("transactionDate", "Transaction Date"), ("currency", "Currency"),
               ("value", "Value"), ("description", "Description"))  # fmt: skip
SINGLE = {"plannedDates", "recipientOrganization", "fundingOrganization", "grantProgramme"}
FIELDS: tuple[tuple[str, str, tuple[tuple[str, str], ...] | None], ...] = (
    ("id", "Identifier", None),
    ("title", "Title", None),
    ("description", "Description", None),
    ("currency", "Currency", None),
    ("amountAwarded", "Amount Awarded", None),
    ("amountDisbursed", "Amount Disbursed", None),
    ("awardDate", "Award Date", None),
    ("plannedDates", "Planned Dates", EVENT),
    ("recipientOrganization", "Recipient Org", ORG),
    ("fundingOrganization", "Funding Org", ORG),
    ("grantProgramme", "Grant Programme", PROGRAMME),
    ("beneficiaryLocation", "Beneficiary Location", LOCATION),
    ("classifications", "Classifications", CLASSIFICATION),
    ("disbursementTransaction", "Disbursement Transaction", TRANSACTION),
    ("dateModified", "Last Modified", None),
)


def columns(grants: list[dict[str, Any]]) -> list[str]:
    """Every column the grants need, in the standard's order, lists numbered up to the longest one."""
    titles: list[str] = []
    for key, title, parts in FIELDS:
        if parts is None:
            titles.append(title)
            continue
        longest = 1 if key in SINGLE else max((len(g.get(key) or []) for g in grants), default=0)
        for index in range(longest):
            head = title if key in SINGLE else f"{title}:{index}"
            titles += [f"{head}:{part}" for _, part in parts]
    return titles


def flat_row(grant: dict[str, Any]) -> dict[str, Any]:
    """The grant as {column title: value}, values as in the JSON (numbers stay numbers)."""
    row: dict[str, Any] = {}
    for key, title, parts in FIELDS:
        if parts is None:
            if key in grant:
                row[title] = grant[key]
            continue
        for index, item in enumerate(grant.get(key) or []):
            head = title if key in SINGLE else f"{title}:{index}"
            row.update({f"{head}:{part}": item[name] for name, part in parts if name in item})
    return row


def csv_bytes(package: dict[str, Any]) -> bytes:
    """The grants as CSV (UTF-8 with a byte order mark, so spreadsheet programs read the £ and names right)."""
    grants = package["grants"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(grants), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(flat_row(grant) for grant in grants)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(package: dict[str, Any]) -> bytes:
    """The grants as an XLSX workbook with one sheet, `grants`, numbers stored as numbers."""
    grants = package["grants"]
    titles = columns(grants)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet; this tells the type checker
    sheet.title = "grants"
    sheet.append(titles)
    for grant in grants:
        row = flat_row(grant)
        sheet.append([row.get(title) for title in titles])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
