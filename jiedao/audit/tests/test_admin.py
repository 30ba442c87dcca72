"""The audit log in the admin names object types and fields in Chinese, as the rest of the admin does."""

from __future__ import annotations

from django.urls import reverse

from jiedao.audit.admin import field_name, type_name
from jiedao.audit.choices import AuditAction
from jiedao.audit.models import AuditEvent
from jiedao.audit.services import audit_record


def test_types_and_fields_are_shown_by_their_chinese_names(client, world, office_admin, dispatcher):
    # Given the administrator viewed a user's phone and a login was recorded
    audit_record(action=AuditAction.PII_VIEW, actor=office_admin, obj=dispatcher, field="phone")
    audit_record(action=AuditAction.LOGIN, actor=office_admin)
    client.force_login(office_admin)

    # When he opens the audit log
    page = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()

    # Then the row and the filter say 用户 and the field's Chinese name, not accounts.user and phone
    assert "accounts.user" not in page.replace('object_type=accounts.user"', "")
    assert ">用户<" in page
    assert field_name("accounts.user", "phone") in page and field_name("accounts.user", "phone") != "phone"
    filtered = client.get(reverse("admin:audit_auditevent_changelist"), {"object_type": "accounts.user"})
    shown = filtered.context["cl"].result_list
    assert filtered.status_code == 200 and {e.object_type for e in shown} == {"accounts.user"}
    assert AuditEvent.objects.exclude(object_type="accounts.user").filter(pk__in=[e.pk for e in shown]).count() == 0
    assert len(shown) < AuditEvent.objects.count()  # the login has no object and is filtered out


def test_names_of_gone_models_and_grouped_fields():
    assert type_name("cases.case") == "工单"
    assert type_name("gone.model") == "gone.model" and type_name("") == "-"
    assert field_name("cases.case", "reporter") == "反映人姓名和电话"
    assert field_name("cases.case", "title") != "title"
    assert field_name("gone.model", "x") == "x" and field_name("cases.case", "") == "-"
