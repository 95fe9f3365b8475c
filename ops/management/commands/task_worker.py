from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from ops import heartbeat


class Command(DBWorkerCommand):
    help = "django-tasks' database worker (db_worker, same options) that also writes a heartbeat for /readyz"

    def handle(self, *args: Any, **options: Any) -> None:
        stop = heartbeat.start(options["worker_id"])
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
