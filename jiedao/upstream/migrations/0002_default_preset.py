"""The built-in column preset: the headers 12345 platforms' exports use, editable in the admin."""

from django.db import migrations

from jiedao.upstream.columns import DEFAULT_DATE_FORMATS, DEFAULT_HEADERS, DEFAULT_PRESET_NAME


def create(apps, schema_editor):
    ColumnPreset = apps.get_model("upstream", "ColumnPreset")
    ColumnPreset.objects.get_or_create(
        name=DEFAULT_PRESET_NAME,
        defaults={
            "mapping": {name: list(spellings) for name, spellings in DEFAULT_HEADERS.items()},
            "date_formats": list(DEFAULT_DATE_FORMATS),
            "is_default": not ColumnPreset.objects.filter(is_default=True).exists(),
        },
    )


def remove(apps, schema_editor):
    apps.get_model("upstream", "ColumnPreset").objects.filter(name=DEFAULT_PRESET_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("upstream", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
