"""Admin of the integrations: sources (the key shown once), webhook subscriptions, the delivery log."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiedao.cases.choices import State
from jiedao.cases.workflow import Action
from jiedao.core.admin import ScopedAdmin
from jiedao.integrations import webhooks
from jiedao.integrations.models import Source, WebhookDelivery, WebhookSubscription
from jiedao.integrations.services import SERVICE_USERNAME, source_create, source_rotate_key

SOURCE_FIELDS = ("name", "code", "kind", "channel", "office", "rate_limit_per_minute", "active")


class SourceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Source
        fields = SOURCE_FIELDS

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if self.instance.pk is None and get_user_model().objects.filter(username=SERVICE_USERNAME % code).exists():
            raise forms.ValidationError(
                _("A user named “%(name)s” exists already.") % {"name": SERVICE_USERNAME % code}
            )
        return code


@admin.register(Source)
class SourceAdmin(ScopedAdmin):
    form = SourceForm
    list_display = ("name", "code", "kind", "channel", "office", "rate_limit_per_minute", "active", "last_used_at")
    list_filter = ("kind", "channel", "active")
    search_fields = ("name", "code")
    readonly_fields = ("key_prefix", "service_user", "created_at", "last_used_at")
    actions = ("rotate_key",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The code prefixes stored upstream numbers and names the service user, whose dispatcher role is bound to
        # the office: both fixed once given (a system moving to another office gets a new source).
        return (*self.readonly_fields, "code", "office") if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return SOURCE_FIELDS if obj is None else (*SOURCE_FIELDS, *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, raw = source_create(**{name: form.cleaned_data[name] for name in SOURCE_FIELDS})
        obj.pk = created.pk
        obj.service_user = created.service_user
        obj.key_prefix, obj.key_hash = created.key_prefix, created.key_hash
        obj.created_at, obj.updated_at = created.created_at, created.updated_at
        request._integrations_new_key = raw  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: Source, post_url_continue: str | None = None) -> HttpResponse:
        raw = getattr(request, "_integrations_new_key", None)
        if raw is None:
            return super().response_add(request, obj, post_url_continue)
        return self._show_key(request, obj, raw)

    def _show_key(self, request: HttpRequest, source: Source, raw: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("The key of %(name)s") % {"name": source.name},
            "source": source,
            "key": raw,
        }
        response = TemplateResponse(request, "admin/integrations/source/key.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Give a new key (the old one stops working)"), permissions=["change"])
    def rotate_key(self, request: HttpRequest, queryset: QuerySet[Source]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one source to give a new key."), messages.WARNING)
            return None
        source = queryset.get()
        return self._show_key(request, source, source_rotate_key(source_id=source.pk))


ACTION_CHOICES = [(value, label) for value, label in Action.choices if value != Action.VIEW_PERSONAL_DATA]


class SubscriptionForm(forms.ModelForm):  # type: ignore[type-arg]
    target_url = forms.URLField(
        label=gettext_lazy("target URL"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy(
            "HTTPS in production. Never this machine, link-local, multicast or reserved addresses: checked here and "
            "again at every delivery, after the name is resolved."
        ),
    )
    actions = forms.MultipleChoiceField(
        label=gettext_lazy("Actions"),
        choices=ACTION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Send these actions, even those that leave the state as it is; none: every state change."
        ),
    )
    states = forms.MultipleChoiceField(
        label=gettext_lazy("States"),
        choices=State.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Send only changes into these states; none: any state."),
    )
    secret = forms.CharField(
        label=gettext_lazy("Signing secret"),
        required=False,
        min_length=16,
        max_length=200,
        help_text=gettext_lazy("Shared with the receiver to check signatures; leave blank to keep the current one."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ("name", "target_url", "office", "secret", "actions", "states", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["secret"].initial = secrets.token_hex(32)
            self.fields["secret"].required = True
            self.fields["secret"].help_text = _("Shared with the receiver to check signatures; copy it now.")
        else:
            self.initial["secret"] = ""

    def clean_secret(self) -> str:
        secret: str = self.cleaned_data.get("secret", "")
        return secret or self.instance.secret


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdmin):
    form = SubscriptionForm
    list_display = ("name", "target_url", "office", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "target_url")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    list_display = (
        "id",
        "subscription",
        "case_number",
        "event_action",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "subscription")
    list_select_related = ("subscription", "case_event__case")
    search_fields = ("case_event__case__number",)
    readonly_fields = (
        "subscription",
        "case_event",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_status_code",
        "last_response",
        "last_error",
        "delivered_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields
    actions = ("retry_now",)

    @admin.display(description=gettext_lazy("case number"))
    def case_number(self, delivery: WebhookDelivery) -> str:
        return delivery.case_event.case.number

    @admin.display(description=gettext_lazy("action"))
    def event_action(self, delivery: WebhookDelivery) -> str:
        return str(Action(delivery.case_event.action).label) if delivery.case_event.action in Action.values else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("integrations.change_webhookdelivery"))

    @admin.action(description=gettext_lazy("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        with transaction.atomic():
            count = webhooks.deliveries_retry_now(delivery_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(count)s deliveries will be sent again now.") % {"count": count})
