"""load_plan needs the departments: on a database without them it stops with one line naming the command to run."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from places.models import Department
from planning.models import PlanTask


def test_it_names_import_departments_when_the_departments_are_missing(db) -> None:
    Department.objects.all().delete()  # as after migrate alone (the test database comes with them)
    with pytest.raises(CommandError) as caught:
        call_command("load_plan")
    assert "manage.py import_departments" in str(caught.value) and "\n" not in str(caught.value)
    assert not PlanTask.objects.exists()


def test_it_loads_the_plan_once_the_departments_are_there(db) -> None:
    call_command("import_departments")
    call_command("load_plan")
    assert PlanTask.objects.count() == 78
