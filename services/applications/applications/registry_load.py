"""Load the neighbourhood registry: `python -m applications.registry_load (--dir DIR | --synthetic)`.

The new vintage is put in force in one transaction; loading inputs already in force changes nothing.
A malformed official file names the file, line and reason and exits 2, leaving the previous vintage in force.
"""

import argparse
import sys
import time
from pathlib import Path

from applications import bootstrap
from applications.handlers.registry import LoadOutcome, load_registry
from applications.registry import RegistryFileError, RegistryImport, load_iod2019, synthetic_registry
from grants_shared.uow import UnitOfWork

EXIT_FILE_ERROR = 2


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m applications.registry_load", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dir", type=Path, help="folder holding imd2019/, lookups/ and (optional) cni_left_behind/")
    source.add_argument("--synthetic", action="store_true", help="a small fake registry for development")
    parser.add_argument("--seed", type=int, default=0, help="synthetic registry seed (default 0)")
    parser.add_argument("--wards", type=int, default=60, help="synthetic registry wards (default 60)")
    parser.add_argument("--no-migrate", action="store_true", help="do not bring the database schema up to date first")
    return parser.parse_args(argv)


def read(args: argparse.Namespace) -> RegistryImport:
    """The registry import the arguments name."""
    if args.synthetic:
        return synthetic_registry(seed=args.seed, wards=args.wards)
    return load_iod2019(args.dir)


def report(outcome: LoadOutcome, seconds: float) -> str:
    """One line saying what the load did."""
    v = outcome.vintage
    kind = "synthetic" if v.synthetic else "official"
    counts = f"{v.ward_count} wards, {v.left_behind_count} left behind, {v.lsoa_count} LSOAs"
    if not outcome.changed:
        return f"vintage {v.name} ({kind}, inputs {v.inputs_hash[:12]}) is already in force: nothing changed ({counts})"
    return f"{outcome.how} vintage {v.name} ({kind}, inputs {v.inputs_hash[:12]}): {counts}; in force ({seconds:.1f} s)"


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = parse(argv)
    start = time.perf_counter()
    try:
        registry = read(args)
    except RegistryFileError as error:
        line = "-" if error.line_number is None else error.line_number
        print(f"registry file error: file {error.path}, line {line}: {error.reason}", file=sys.stderr)
        print("nothing loaded; the previous vintage stays in force", file=sys.stderr)
        return EXIT_FILE_ERROR
    if not args.no_migrate:
        bootstrap.migrate_database()
    with UnitOfWork(bootstrap.sessions()) as uow:
        outcome = load_registry(uow, registry, actor="registry_load")
        uow.commit()
    print(report(outcome, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
