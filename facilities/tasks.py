"""Background jobs: booking reminders (run hourly: `manage.py booking_reminders`, see docs/facilities.md)."""

from django_tasks import task

from facilities import services


@task()
def send_booking_reminders(hours: int = 24) -> int:
    """Remind bookers of confirmed bookings that start within `hours`; each booking once."""
    return services.send_booking_reminders(hours=hours)
