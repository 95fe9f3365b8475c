import pytest


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SMS_BACKEND = "web.notify.LocmemSMSBackend"
    from web.notify import LocmemSMSBackend

    LocmemSMSBackend.outbox.clear()
