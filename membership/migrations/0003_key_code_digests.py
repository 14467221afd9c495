"""Re-key the stored code digests: HMAC under a key derived from the secret key.

Before, `code_digest` was the plain SHA-256 of the code; now it is the HMAC (salted_hmac,
sha256) of that SHA-256, so a database copy cannot test guesses without DJANGO_SECRET_KEY.
Run it with the production settings' secret key. The step cannot be undone (the key is one-way),
so going back leaves the keyed digests in place.
"""

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

DIGEST_SALT = "membership.codes.digest"


def key_digests(apps, schema_editor):
    Application = apps.get_model("membership", "Application")
    for number, plain in Application.objects.values_list("pk", "code_digest").iterator():
        keyed = salted_hmac(
            DIGEST_SALT, plain, secret=settings.SECRET_KEY, algorithm="sha256"
        ).hexdigest()
        Application.objects.filter(pk=number).update(code_digest=keyed)


class Migration(migrations.Migration):
    dependencies = [("membership", "0002_reviewer_group")]

    operations = [migrations.RunPython(key_digests, migrations.RunPython.noop)]
