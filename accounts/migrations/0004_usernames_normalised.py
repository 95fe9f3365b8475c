"""Store every existing username in its normalised form (NFKC, case-folded) where that is a valid, free name.

A name that would collide with another account or fall outside [a-z0-9._-]{3,30} is left as it is: it
still signs in by its exact spelling, and the security administrator renames it. The rule is copied here
(migrations never import app code): accounts/usernames.py.
"""

import re
import unicodedata

from django.db import migrations

ALPHABET = re.compile(r"[a-z0-9._-]{3,30}")


def normalise_usernames(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("username", flat=True))
    for user in User.objects.all().only("pk", "username"):
        name = unicodedata.normalize("NFKC", user.username).casefold().strip()
        if name == user.username or not ALPHABET.fullmatch(name) or name in taken:
            continue
        taken.discard(user.username)
        taken.add(name)
        User.objects.filter(pk=user.pk).update(username=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_data_rights_two_person_tokens")]
    operations = [migrations.RunPython(normalise_usernames, migrations.RunPython.noop)]
