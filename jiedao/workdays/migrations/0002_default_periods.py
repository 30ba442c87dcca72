import datetime

from django.db import migrations

DEFAULT_PERIODS = [(datetime.time(8, 30), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30))]


def create_default_periods(apps, schema_editor):
    WorkPeriod = apps.get_model("workdays", "WorkPeriod")
    if not WorkPeriod.objects.exists():
        WorkPeriod.objects.bulk_create([WorkPeriod(start=start, end=end) for start, end in DEFAULT_PERIODS])


def delete_default_periods(apps, schema_editor):
    WorkPeriod = apps.get_model("workdays", "WorkPeriod")
    for start, end in DEFAULT_PERIODS:
        WorkPeriod.objects.filter(start=start, end=end).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(create_default_periods, delete_default_periods)]
