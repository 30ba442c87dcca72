"""`jiedao api-token create|list|revoke`: personal API tokens from the command line (for scripts and setup)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jiedao.accounts.models import User
from jiedao.api.models import ApiToken
from jiedao.api.tokens import DEFAULT_DAYS, api_token_create, api_token_revoke
from jiedao.cases.errors import InvalidInput
from jiedao.core.errors import NotFoundOrForbidden


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Make a token and print it (it is shown only this once).")
        create.add_argument("--user", required=True, help="The username the token acts as.")
        create.add_argument("--name", required=True, help="What uses the token.")
        create.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"Validity (default {DEFAULT_DAYS}).")
        listing = sub.add_parser("list", help="List a user's tokens.")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (jd_xxxxxxxx).")
        revoke.add_argument("prefix")

    def _user(self, username: str) -> User:
        user: User | None = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--user: no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"--user: {username!r} is not active")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "create":
            try:
                token, text = api_token_create(
                    user=self._user(options["user"]), name=options["name"], days=options["days"]
                )
            except InvalidInput as exc:
                raise CommandError(f"--{exc.field}: {exc.message}") from None
            self.stderr.write(f"token {token.name!r} for {token.user.username}, expires {token.expires_at:%Y-%m-%d}")
            self.stdout.write(text)
        elif verb == "list":
            for token in ApiToken.objects.filter(user=self._user(options["user"])):
                state = "revoked" if token.revoked_at else "active"
                expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
                self.stdout.write(f"jd_{token.prefix}\t{state}\texpires {expires}\t{token.name}")
        else:
            prefix = options["prefix"].removeprefix("jd_").split("_")[0]
            found = ApiToken.objects.filter(prefix=prefix).first()
            if found is None:
                raise CommandError(f"no token with the prefix {options['prefix']!r}")
            try:
                api_token_revoke(token_id=found.pk, actor=None, owner_only=False)
            except NotFoundOrForbidden as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"revoked jd_{found.prefix}")
