"""Prepare the embedded demo: the tree, the departments, each module's demo data, demo accounts."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings

from accounts.demo import ensure_demo_accounts

# Each module's loader; skipped when its app is left out (SHEQU_DISABLE_APPS).
OPTIONAL_STEPS: list[tuple[str, dict[str, object]]] = [
    ("load_plan", {}),          # planning: the plan's tasks, actions and indicators
    ("sync_datasets", {}),      # exchange: the department datasets the code defines
]
# Run after the synthetic population (seed_demo) exists, in this order.
AFTER_POPULATION = ["seed_facilities", "seed_appeals", "seed_care", "seed_workforce", "seed_socialorgs", "seed_safety", "seed_duties",
                    "seed_activities", "seed_deliberation", "seed_planning"]


class Command(BaseCommand):
    help = "Load the Hengshui tree, departments, demo data and one demo account per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=0.002, help="share of the city's residents to synthesise")

    def handle(self, *args: object, **options: float) -> None:
        call_command("import_divisions")
        call_command("import_departments")
        available = get_commands()
        listing = ensure_demo_accounts()  # first, so the demo worker gets visits, requests and tasks
        # Demo requests and visits would otherwise "text" hundreds of synthetic phones to the console.
        with override_settings(SMS_BACKEND="web.notify.LocmemSMSBackend"):
            self._load(available, options["scale"])
        self._link_demo_resident()
        self.stdout.write("\n演示账户（仅演示模式）/ demo accounts (demo mode only):")
        for username, role, password in listing:
            self.stdout.write(f"  {username:<10} {password:<16} {role}")

    def _link_demo_resident(self) -> None:
        """Give the demo resident account a record in the register, so "my address" and opt-ins work."""
        from django.apps import apps

        if not apps.is_installed("people"):
            return
        from accounts.models import User
        from people.models import Resident

        user = User.objects.filter(username="resident").first()
        if user is None or Resident.objects.filter(account=user).exists():
            return
        record = (Resident.objects.filter(unit__code=user.unit_id, status="present", account__isnull=True, household__isnull=False)
                  .order_by("birth_date").first())
        if record is not None:
            Resident.objects.filter(pk=record.pk).update(account=user)
            User.objects.filter(pk=user.pk).update(display_name=record.name)

    def _load(self, available: dict[str, str], scale: float) -> None:
        from places.demo import seed_bodies

        seed_bodies()
        for name, kwargs in OPTIONAL_STEPS:
            if name in available:
                call_command(name, **kwargs)
        if "seed_demo" in available:
            call_command("seed_demo", scale=scale)
        for name in AFTER_POPULATION:
            if name in available:
                call_command(name)
