"""The export behind `grants publish 360giving` (its child, grants_cli.publish_export, runs `main`): the package from
the reporting database, checked against the 360Giving standard when its files are configured."""

import argparse
import sys
from pathlib import Path

from sqlalchemy import Engine

from grants_shared.db import read_only_session
from reporting.read.publication.config import PublicationSettings
from reporting.read.publication.flat import csv_bytes, xlsx_bytes
from reporting.read.publication.package import build_package, package_bytes
from reporting.read.publication.standard import StandardMissing, load_standard
from reporting.read.publication.validate import validate_package

ENCODERS = {"json": package_bytes, "csv": csv_bytes, "xlsx": xlsx_bytes}
TIMEOUT_MS = 120_000  # a fund's whole history in one snapshot: far longer than a page's read


def export(out: Path, fmt: str, engine: Engine) -> int:
    """Write the package to `out` in `fmt`; 1 (nothing written) when the standard's files find a problem in it."""
    settings = PublicationSettings()
    with read_only_session(engine, TIMEOUT_MS) as session:
        package = build_package(session, settings)
    folder = settings.standard_dir()
    try:
        standard = load_standard(folder) if folder is not None else None
    except StandardMissing as missing:
        print(f"not checked: {missing}", file=sys.stderr)
        standard = None
    if standard is not None:
        problems = validate_package(package, standard, prefix=settings.prefix)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} problem(s) against the 360Giving standard: {out} not written", file=sys.stderr)
            return 1
    out.write_bytes(ENCODERS[fmt](package))
    checked = "0 problems against the 360Giving standard" if standard is not None else "not checked (no standard)"
    print(f"{len(package['grants'])} grants written to {out} ({fmt}; {checked})")
    return 0


def main(engine: Engine, argv: list[str] | None = None) -> int:
    """Parse the arguments and export."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--format", choices=sorted(ENCODERS), default="json")
    args = parser.parse_args(argv)
    return export(args.out, args.format, engine)
