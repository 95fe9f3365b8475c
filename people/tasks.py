"""Background jobs of the register: the retention rule and the job files' clean-up (run nightly, see docs/people.md)."""

from datetime import date

from django_tasks import task


@task()
def apply_retention_task(day: str = "") -> int:
    """Anonymise deceased and moved-out records whose retention period has ended."""
    from people import services

    return services.apply_retention(today=date.fromisoformat(day) if day else None)


@task()
def purge_job_files_task() -> int:
    """Delete background jobs' files past their retention (people.jobs.purge_job_files)."""
    from people.jobs import purge_job_files

    return purge_job_files()
