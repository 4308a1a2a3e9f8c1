"""The import's progress bar: bytes of every file read, then rows written, each reaching its total."""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from applications.adapters.registry import reporting_reads
from applications.adapters.registry.csvread import read_csv
from applications.adapters.registry.reference import REQUIRED
from applications.read.registry_progress import file_reads, row_writes


def test_the_reading_task_advances_by_each_file_read_to_its_total(tmp_path: Path) -> None:
    present = [tmp_path / REQUIRED[0], tmp_path / REQUIRED[3]]
    for n, path in enumerate(present):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\ufeffcode,rank\r\n" + "\r\n".join(f"E0{i},{i}" for i in range(10 * (n + 1))))
    progress = Progress(disable=True)
    with reporting_reads(file_reads(progress, tmp_path)):
        read_csv(present[0], ("code",))
        (task,) = progress.tasks
        assert 0 < task.completed < task.total
        read_csv(present[1], ("code",))
    assert task.completed == task.total == sum(p.stat().st_size for p in present)
    assert task.fields["counts"] == f"2/2 {present[1].name}"
    read_csv(present[0], ("code",))
    assert task.completed == task.total, "reads outside the block are not reported"


def test_the_writing_task_counts_rows_to_its_total() -> None:
    progress = Progress(disable=True)
    advance = row_writes(progress, 10_002)
    advance(5_000)
    advance(5_002)
    (task,) = progress.tasks
    assert (task.completed, task.total, task.fields["counts"]) == (10_002, 10_002, "10,002/10,002")
