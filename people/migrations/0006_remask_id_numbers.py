"""Re-mask every stored ID number: the old masked copy kept digits 15–18, which with the birth date gave the number.

The new masked form is computed from the old one (its area code or first two characters survive): no decryption.
"""

from django.db import migrations

from people.masking import mask_id


def remask(apps, schema_editor):  # type: ignore[no-untyped-def]
    Resident = apps.get_model("people", "Resident")
    last = 0
    while True:
        batch = list(Resident.objects.filter(pk__gt=last).exclude(id_number_masked="")
                     .order_by("pk").only("pk", "id_number_masked")[:2000])
        if not batch:
            return
        last = batch[-1].pk
        changed = [r for r in batch if mask_id(r.id_number_masked) != r.id_number_masked]
        for resident in changed:
            resident.id_number_masked = mask_id(resident.id_number_masked)
        Resident.objects.bulk_update(changed, ["id_number_masked"])


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0005_household_location_index"),
    ]

    operations = [
        migrations.RunPython(remask, migrations.RunPython.noop, elidable=False),
    ]
