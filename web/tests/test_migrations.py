from io import StringIO

from django.core.management import call_command


def test_no_model_change_lacks_a_migration(db) -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
