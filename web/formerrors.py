"""A service's ValidationError shown on the form that sent it: each message beside its field, the rest on top."""

from typing import Any

from django.core.exceptions import ValidationError


def add_service_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)
