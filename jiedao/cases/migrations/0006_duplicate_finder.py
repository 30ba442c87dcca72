"""The duplicate finder's indexed lookups: the normalised address, and a bounding box on the point."""

import unicodedata
from typing import Any

from django.db import migrations, models

BATCH = 2000


def _key(address: str) -> str:
    # A frozen copy of jiedao.cases.duplicates.address_key as it was when this migration was written.
    normal = unicodedata.normalize("NFKC", address or "").lower()
    key = "".join(ch for ch in normal if ch.isalnum())[:300]
    return key if len(key) >= 4 else ""


def fill_address_keys(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    rows = Case.objects.exclude(address="").only("id", "address").order_by("id")
    batch = []
    for case in rows.iterator(chunk_size=BATCH):
        case.address_key = _key(case.address)
        if case.address_key:
            batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, ["address_key"])
            batch = []
    Case.objects.bulk_update(batch, ["address_key"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="address_key",
            field=models.CharField(blank=True, db_index=True, default="", editable=False, max_length=300),
        ),
        migrations.AddIndex(model_name="case", index=models.Index(fields=["lat", "lng"], name="case_lat_lng")),
        migrations.RunPython(fill_address_keys, migrations.RunPython.noop),
    ]
