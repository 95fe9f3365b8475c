"""The request id travels with a task: stored at enqueue (in the row's args_kwargs, beside "args" and "kwargs", which
is all django-tasks reads back) and set in the worker while the task runs (ops.logs)."""

from typing import Any

from django.core.signals import request_finished
from django.dispatch import receiver
from django_tasks.signals import task_enqueued, task_finished, task_started

from ops.logs import request_id


@receiver(task_enqueued)
def remember_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    rid = request_id.get()
    db_result = getattr(task_result, "db_result", None)  # the database backend's row; other backends carry nothing
    if rid and db_result is not None:
        db_result.args_kwargs["request_id"] = rid
        db_result.save(update_fields=["args_kwargs"])


@receiver(task_started)
def restore_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    db_result = getattr(task_result, "db_result", None)
    if db_result is not None and db_result.args_kwargs.get("request_id"):
        request_id.set(db_result.args_kwargs["request_id"])


@receiver(task_finished)
def forget_request_id(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if getattr(task_result, "db_result", None) is not None:  # in the worker; an immediate task keeps its request's id
        request_id.set(None)


@receiver(request_finished)
def end_request_id(sender: Any, **kwargs: Any) -> None:
    request_id.set(None)
