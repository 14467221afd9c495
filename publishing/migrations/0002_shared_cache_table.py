"""The table of the shared database cache (settings.CACHE_TABLE, ADR 0016).

Created here, whatever CACHE_URL says today, so that a fresh `manage.py migrate` is all a new
server needs and switching CACHE_URL back to the database later finds the table in place. The
page cache, the application's rate limits and anything else on Django's default cache use it.
"""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    connection = schema_editor.connection
    if settings.CACHE_TABLE in connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(settings.CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("publishing", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
