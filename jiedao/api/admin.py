from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jiedao.accounts.choices import Role
from jiedao.accounts.models import User
from jiedao.api.models import ApiToken
from jiedao.api.tokens import api_token_revoke
from jiedao.core.scope import scope_of


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Administrators see the tokens of the users they administer and may revoke them; tokens are made by their
    owners only (the secret is shown to whoever makes it)."""

    list_display = ["name", "user", "token_prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    fields = ("user", "name", "token_prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "revoked_by")
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        users = User.objects.visible_to(request.user)
        return super().get_queryset(request).select_related("user", "revoked_by").filter(user__in=users.values("pk"))

    @admin.display(description=_("token"))
    def token_prefix(self, obj: ApiToken) -> str:
        return f"jd_{obj.prefix}_…"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Office administrators (the admin role) and superusers, for the users their scope holds.
        scope = scope_of(request.user)
        return bool(getattr(request.user, "is_staff", False)) and (scope.everything or Role.ADMIN in scope.roles)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token_id=token.pk, actor=request.user, owner_only=False, request=request)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)
