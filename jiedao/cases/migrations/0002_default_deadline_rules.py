"""The local-practice limits of DOMAIN.md §2 as the starting rules; offices edit them in the admin."""

from decimal import Decimal

from django.db import migrations

# (stage, request type, urgency, amount, unit, note)
DEFAULTS = [
    ("sign", "", "", "1", "working_days", "签收：1个工作日"),
    ("contact", "", "", "1", "working_days", "先行联系：1个工作日"),
    ("finish", "", "", "5", "working_days", "办结：求助、投诉、举报 5个工作日"),
    ("finish", "consultation", "", "1", "working_days", "咨询：1个工作日"),
    ("finish", "suggestion", "", "1", "working_days", "建议：1个工作日"),
    ("finish", "praise", "", "1", "working_days", "表扬：1个工作日"),
    ("finish", "", "urgent", "2", "hours", "紧急：2小时"),
    ("finish", "", "complex", "15", "working_days", "复杂：批准后15个工作日"),
    ("callback", "", "", "3", "working_days", "回访：3个工作日"),
    ("rework", "", "", "3", "working_days", "重办：3个工作日"),
    ("supervision", "", "", "3", "working_days", "督办回复：3个工作日"),
]


def create(apps, schema_editor):
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    for stage, request_type, urgency, amount, unit, note in DEFAULTS:
        DeadlineRule.objects.get_or_create(
            stage=stage, request_type=request_type, urgency=urgency, channel="", category=None,
            defaults={"amount": Decimal(amount), "unit": unit, "note": note},
        )


def remove(apps, schema_editor):
    apps.get_model("cases", "DeadlineRule").objects.filter(category=None, channel="").delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
