"""Rich progress for named pipeline steps: each step gets its own line with a bar and elapsed time."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


@contextmanager
def steps(console: Console | None = None):
    """Yields `step(name)`: finishes the previous step's bar and starts one for `name`."""
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
        console=console or Console(stderr=True),
    )
    current: list[int] = []

    def step(name: str) -> None:
        if current:
            progress.update(current[-1], completed=1)
            progress.stop_task(current[-1])
        current.append(progress.add_task(name, total=1))

    with progress:
        yield step
        if current:
            progress.update(current[-1], completed=1)
