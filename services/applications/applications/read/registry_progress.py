"""The progress bar of a registry load: bytes of each file read, then rows written (rich, on stderr)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Column

from applications.adapters.registry import files_to_read


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress]:
    """A live bar on stderr (drawn only on a terminal, so logs get at most its final state)."""
    progress = Progress(
        TextColumn("{task.description}", table_column=Column(width=20, no_wrap=True)),
        BarColumn(bar_width=24),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[counts]}", table_column=Column(no_wrap=True, overflow="ellipsis")),
        console=Console(stderr=True),
        disable=not enabled,
    )
    with progress:
        yield progress


def file_reads(progress: Progress, root: Path) -> Callable[[Path, int], None]:
    """A task sized to the files an import of `root` reads; the callback advances it per file read."""
    files = [f for f in files_to_read(root) if f.is_file()]
    total = sum(f.stat().st_size for f in files)
    task = progress.add_task("reading files", total=total or 1, counts=f"0/{len(files)}")
    seen: list[str] = []

    def advance(path: Path, size: int) -> None:
        seen.append(path.name)
        progress.update(task, advance=size, counts=f"{len(seen)}/{len(files)} {path.name}")

    return advance


def row_writes(progress: Progress, rows: int) -> Callable[[int], None]:
    """A task sized to the rows a load writes; the callback advances it per batch written."""
    task = progress.add_task("storing rows", total=rows or 1, counts=f"0/{rows:,}")
    done = [0]

    def advance(written: int) -> None:
        done[0] += written
        progress.update(task, advance=written, counts=f"{done[0]:,}/{rows:,}")

    return advance
