"""Every stored worker phone in its canonical digits (shequ.phones), hashed and masked from them.

The same step as people's 0008_phones_canonical, run on CommunityWorker: before the one phone rule a worker's
landline was hashed as typed, dash and all, so the import matched no worker whose phone had been typed otherwise.
"""

from functools import partial
from importlib import import_module

from django.db import migrations

canonical_phones = partial(import_module("people.migrations.0008_phones_canonical").canonical_phones,
                           model=("workforce", "CommunityWorker"))


class Migration(migrations.Migration):

    dependencies = [
        ("workforce", "0001_initial"),
        ("people", "0008_phones_canonical"),
    ]

    operations = [
        migrations.RunPython(canonical_phones, migrations.RunPython.noop, elidable=False),
    ]
