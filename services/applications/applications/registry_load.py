"""Load the neighbourhood registry: `python -m applications.registry_load (--dir DIR | --synthetic)`.

The new vintage is put in force in one transaction; loading inputs already in force changes nothing.
A malformed official file names the file, line and reason and exits 2, leaving the previous vintage in force.
`grants data import DIR` runs this command; it draws a progress bar on stderr when that is a terminal.
"""

import argparse
import sys
import time
from pathlib import Path

from rich.progress import Progress

from applications import bootstrap
from applications.adapters.registry import (
    RegistryFileError,
    RegistryImport,
    load_reference_dir,
    reporting_reads,
    synthetic_registry,
)
from applications.adapters.registry_rows import rows_to_store
from applications.read.registry_progress import file_reads, progress_bar, row_writes
from applications.usecases.registry import LoadOutcome, load_registry
from grants_shared.uow import UnitOfWork

EXIT_FILE_ERROR = 2


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m applications.registry_load", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dir", type=Path, help="folder holding imd2019/, lookups/ and (optional) cni_left_behind/, imd2025/"
    )
    source.add_argument("--synthetic", action="store_true", help="a small fake registry for development")
    parser.add_argument("--seed", type=int, default=0, help="synthetic registry seed (default 0)")
    parser.add_argument("--wards", type=int, default=60, help="synthetic registry wards (default 60)")
    parser.add_argument("--no-migrate", action="store_true", help="do not bring the database schema up to date first")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def read(args: argparse.Namespace, progress: Progress) -> RegistryImport:
    """The registry import the arguments name."""
    if args.synthetic:
        return synthetic_registry(seed=args.seed, wards=args.wards)
    with reporting_reads(file_reads(progress, args.dir)):
        return load_reference_dir(args.dir)


def report(outcome: LoadOutcome, seconds: float) -> str:
    """One line saying what the load did."""
    v = outcome.vintage
    kind = "synthetic" if v.synthetic else "official"
    counts = f"{v.ward_count} wards, {v.left_behind_count} left behind, {v.lsoa_count} LSOAs"
    if v.lsoa21_count:
        counts += f", {v.lsoa21_count} LSOAs 2021 (IoD2025)"
    if not outcome.changed:
        return f"vintage {v.name} ({kind}, inputs {v.inputs_hash[:12]}) is already in force: nothing changed ({counts})"
    return f"{outcome.how} vintage {v.name} ({kind}, inputs {v.inputs_hash[:12]}): {counts}; in force ({seconds:.1f} s)"


def store(args: argparse.Namespace, registry: RegistryImport, progress: Progress) -> LoadOutcome:
    """Put the import in force in one transaction."""
    if not args.no_migrate:
        bootstrap.runtime.migrate()
    with UnitOfWork(bootstrap.sessions()) as uow:
        advance = row_writes(progress, rows_to_store(registry))
        outcome = load_registry(uow, registry, actor="registry_load", progress=advance)
        uow.commit()
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status."""
    args = parse(argv)
    start = time.perf_counter()
    with progress_bar(not args.no_progress) as progress:
        refused: RegistryFileError | None
        try:
            registry = read(args, progress)
        except RegistryFileError as error:
            refused = error
        else:
            refused = None
            outcome = store(args, registry, progress)
    if refused is not None:
        line = "-" if refused.line_number is None else refused.line_number
        print(f"registry file error: file {refused.path}, line {line}: {refused.reason}", file=sys.stderr)
        print("nothing loaded; the previous vintage stays in force", file=sys.stderr)
        return EXIT_FILE_ERROR
    print(report(outcome, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
