"""Background job of the 12345 import: one run (id in), carried out by the service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from jiedao.upstream import services


@db_task()  # type: ignore[untyped-decorator]
def run_import(run_id: int) -> str:
    """Import the run's file; return the run's state."""
    return services.import_run_execute(run_id=run_id).state
