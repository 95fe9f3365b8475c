"""Delivery of an emergency notice's messages, as a background job: in-app to accounts, SMS to the others.

The job lives here rather than in care/tasks.py so that the notice writes (care.services.notices) can enqueue it
without importing care.tasks, which imports the services: no import circle.
"""

from collections.abc import Sequence

from django_tasks import task

from accounts.models import User
from care.models import DisasterOfficer, EmergencyNotice, NoticeRecipient
from people.models import Resident


def deliver(notice: EmergencyNotice, recipients: Sequence[NoticeRecipient], *, again: bool = False) -> None:
    """In-app message to recipients with an account, SMS to the others with a phone number."""
    from people.crypto import decrypt
    from web.models import Notification
    from web.notify import send_sms

    prefix = "【再次提醒】" if again else ""
    users = {r.user_id: r for r in recipients if r.user_id}
    by_user = User.objects.in_bulk(list(users))
    rows = [
        Notification(user=by_user[uid], title=f"{prefix}应急通知：{notice.title}"[:200], body=notice.body,
                     url=f"/care/ack/{r.token}/", kind="care.notice")
        for uid, r in users.items() if uid in by_user
    ]
    # One bulk insert (web.notify.notify_users cannot carry a per-recipient link).
    Notification.objects.bulk_create(rows, batch_size=5000)
    sms = [r for r in recipients if not r.user_id]
    if sms:
        officers = DisasterOfficer.objects.in_bulk([r.officer_id for r in sms if r.officer_id])
        residents = Resident.objects.only("phone_enc").in_bulk([r.resident_id for r in sms if r.resident_id])
        for r in sms:
            source = officers.get(r.officer_id) if r.officer_id else residents.get(r.resident_id) if r.resident_id else None
            phone = decrypt(source.phone_enc) if source is not None and source.phone_enc else ""
            send_sms(phone, f"{prefix}【应急通知】{notice.title}。请确认收到：/care/ack/{r.token}/")



@task()
def deliver_notice(notice_id: int, again: bool = False) -> int:
    """Send an emergency notice's messages (again: only to those who have not acknowledged)."""
    notice = EmergencyNotice.objects.get(pk=notice_id)
    recipients = NoticeRecipient.objects.filter(notice=notice)
    if again:
        recipients = recipients.filter(acknowledged_at__isnull=True)
    rows = list(recipients.only("id", "user_id", "officer_id", "resident_id", "token"))
    deliver(notice, rows, again=again)
    return len(rows)
