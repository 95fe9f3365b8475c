"""Every stored phone in its canonical digits (shequ.phones), hashed and masked from them.

Before the one phone rule, a landline was stored as typed (0318-1234567) and the same number typed another way
got another hash, so 0318-1234567 and 03181234567 did not find each other. Uses the data key (settings.DATA_KEY).
"""

from django.db import migrations

from people import crypto
from people.masking import mask_phone
from shequ import phones

BATCH = 1000


def canonical_phones(apps, schema_editor, *, model: tuple[str, str] = ("people", "Resident")):  # type: ignore[no-untyped-def]
    Model = apps.get_model(*model)
    last = 0
    while True:
        batch = list(Model.objects.filter(pk__gt=last).exclude(phone_enc="")
                     .order_by("pk").only("pk", "phone_enc", "phone_hash", "phone_masked")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for row in batch:
            typed = crypto.decrypt(row.phone_enc)
            number = phones.canonical(typed)
            digest, masked = crypto.search_hash(number), mask_phone(number)
            if number != typed or digest != row.phone_hash or masked != row.phone_masked:
                row.phone_enc = crypto.encrypt(number) if number != typed else row.phone_enc
                row.phone_hash, row.phone_masked = digest, masked
                changed.append(row)
        Model.objects.bulk_update(changed, ["phone_enc", "phone_hash", "phone_masked"])


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0007_resident_event_restricted_summary"),
    ]

    operations = [
        migrations.RunPython(canonical_phones, migrations.RunPython.noop, elidable=False),
    ]
