"""The registry revision token and the triggers that renew it on every write to units, versions and links.

SQLite: one row trigger per table and operation (``INSERT OR REPLACE``, a random 16-byte token). PostgreSQL: one
statement trigger per table for INSERT, UPDATE, DELETE and TRUNCATE calling one function (an upsert of a random
token). Other databases get no triggers and no row, which readers take as "do not cache".
"""

from django.db import migrations, models

TABLES = ("registry_orgunit", "registry_orgunitversion", "registry_orglink")
REVISION_TABLE = "registry_registryrevision"

SQLITE_TRIGGER = """
CREATE TRIGGER registry_revision_{table}_{op} AFTER {op} ON {table}
BEGIN
    INSERT OR REPLACE INTO {revision} (id, token) VALUES (1, lower(hex(randomblob(16))));
END
"""

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION registry_renew_revision() RETURNS trigger AS $$
BEGIN
    INSERT INTO {REVISION_TABLE} (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

POSTGRES_TRIGGER = """
CREATE TRIGGER registry_revision_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION registry_renew_revision()
"""


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(SQLITE_TRIGGER.format(table=table, op=op, revision=REVISION_TABLE))
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            schema_editor.execute(POSTGRES_TRIGGER.format(table=table))
    else:
        return
    schema_editor.execute(f"INSERT INTO {REVISION_TABLE} (id, token) VALUES (1, 'initial')")


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for table in TABLES:
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_revision_{table}_{op}")
    elif vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS registry_revision_{table} ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS registry_renew_revision()")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0002_unit_kind_department"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryRevision",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "机构名录修订标记",
                "verbose_name_plural": "机构名录修订标记",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
