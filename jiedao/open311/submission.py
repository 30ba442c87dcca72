"""POST requests: read the form as the spec defines it, and register the case through the case services.

The source's service user registers the case (a dispatcher of the source's office, so the case services' own rule
decides where it may register) on the source's channel; the point is resolved to its grid by the place index, an
address alone leaves the case at the office for the dispatcher to place. The e-mail address is not kept: a case
has no e-mail contact (the office calls back by phone), and what no duty needs is not stored (PIPL).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from jiedao.cases.choices import RequestType
from jiedao.cases.errors import InvalidInput
from jiedao.cases.services import case_note, case_register
from jiedao.integrations.models import Source
from jiedao.open311 import catalogue
from jiedao.open311.catalogue import Service
from jiedao.open311.errors import Open311Error
from jiedao.open311.models import SubmittedRequest

DESCRIPTION_MAX: Final = 4000
ADDRESS_MAX: Final = 300
NAME_MAX: Final = 50
CLIENT_ID_MAX: Final = 100
MEDIA_URL_MAX: Final = 500
TITLE_FROM_DESCRIPTION: Final = 30
TRUE_VALUES: Final = ("true", "1", "yes")
FALSE_VALUES: Final = ("false", "0", "no", "")
# The case services name their fields; the client knows the spec's parameters.
PARAMETER_OF_FIELD: Final = {
    "title": f"attribute[{catalogue.TITLE}]",
    "content": "description",
    "request_type": f"attribute[{catalogue.REQUEST_TYPE}]",
    "lng": "long",
    "lat": "lat",
    "place": "lat",
    "reporter_phone": "phone",
    "reporter_name": "last_name",
    "address": "address_string",
}


@dataclass(frozen=True)
class NewRequest:
    service: Service
    lat: str
    long: str
    address: str
    request_type: str
    title: str
    content: str
    confidential: bool
    reporter_name: str
    phone: str
    media_url: str
    account_id: str
    device_id: str


def _text(form: QueryDict, name: str, limit: int) -> str:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, _("%(name)s may hold at most %(n)d characters.") % {"name": name, "n": limit})
    return value


def _attributes(form: QueryDict) -> dict[str, str]:
    """attribute[code]=value pairs; an attribute no service defines is refused by name."""
    known = {catalogue.REQUEST_TYPE, catalogue.TITLE, catalogue.CONFIDENTIAL}
    found: dict[str, str] = {}
    for key in form:
        if not key.startswith("attribute["):
            continue
        code = key[len("attribute[") : -1] if key.endswith("]") else ""
        if code not in known:
            raise Open311Error(400, _("%(name)s is not an attribute of this service.") % {"name": key})
        found[code] = (form.get(key) or "").strip()
    return found


def _reporter_name(first: str, last: str) -> str:
    """Family name first for Chinese names (张 + 三 = 张三), "First Last" for Latin ones."""
    if first.isascii() and last.isascii():
        return f"{first} {last}".strip()
    return f"{last}{first}"


def read_new_request(form: QueryDict) -> NewRequest:
    """The POST form as the spec defines it. Raises Open311Error: 400 for a missing or bad value (named), 404 for
    an unknown service_code."""
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    service = catalogue.service(code)
    if service is None:
        raise Open311Error(404, _("service_code “%(code)s” not found.") % {"code": code})
    lat, long = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = _text(form, "address_string", ADDRESS_MAX)
    if bool(lat) != bool(long):
        raise Open311Error(400, _("lat and long must be sent together."))
    if not (lat or address):
        if (form.get("address_id") or "").strip():
            raise Open311Error(400, _("address_id is not supported here: send lat and long, or address_string."))
        raise Open311Error(400, _("A location is required: lat and long, or address_string."))
    description = _text(form, "description", DESCRIPTION_MAX)
    media_url = _text(form, "media_url", MEDIA_URL_MAX)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url must be an http or https address.")) from None
    attributes = _attributes(form)
    request_type = attributes.get(catalogue.REQUEST_TYPE) or catalogue.DEFAULT_REQUEST_TYPE
    if request_type not in RequestType.values:
        raise Open311Error(
            400,
            _("attribute[%(code)s] “%(value)s” is not one of: %(keys)s.")
            % {"code": catalogue.REQUEST_TYPE, "value": request_type, "keys": ", ".join(RequestType.values)},
        )
    confidential = attributes.get(catalogue.CONFIDENTIAL, "").lower()
    if confidential not in TRUE_VALUES + FALSE_VALUES:
        raise Open311Error(400, _("attribute[%(code)s] must be true or false.") % {"code": catalogue.CONFIDENTIAL})
    title = attributes.get(catalogue.TITLE, "")
    if len(title) > catalogue.TITLE_MAX:
        raise Open311Error(
            400,
            _("attribute[%(code)s] may hold at most %(n)d characters.")
            % {"code": catalogue.TITLE, "n": catalogue.TITLE_MAX},
        )
    if not description and not media_url:
        raise Open311Error(400, _("description was not provided: say what is wrong (or send a photo's media_url)."))
    content = description or _("No description; see the photo sent with the request: %(url)s") % {"url": media_url}
    first_line = description.splitlines()[0].strip() if description else ""
    return NewRequest(
        service=service,
        lat=lat,
        long=long,
        address=address,
        request_type=request_type,
        title=title or first_line[:TITLE_FROM_DESCRIPTION] or service.name,
        content=content,
        confidential=confidential in TRUE_VALUES,
        reporter_name=_reporter_name(_text(form, "first_name", NAME_MAX), _text(form, "last_name", NAME_MAX)),
        phone=_text(form, "phone", 20),
        media_url=media_url,
        account_id=_text(form, "account_id", CLIENT_ID_MAX),
        device_id=_text(form, "device_id", CLIENT_ID_MAX),
    )


@transaction.atomic
def request_submit(*, source: Source, new: NewRequest) -> SubmittedRequest:
    """Register `new` as a case of `source` (its service user, channel and office) and record its token.

    Raises InvalidInput (its field renamed to the spec's parameter) and ActionForbidden (the point lies where the
    source's office may not register); nothing is written then.
    """
    try:
        case = case_register(
            actor=source.service_user,
            channel=source.channel,
            request_type=new.request_type,
            title=new.title,
            content=new.content,
            category=catalogue.category_of(new.service),
            address=new.address,
            lng=new.long or None,
            lat=new.lat or None,
            office=source.office,
            reporter_name=new.reporter_name,
            reporter_phone=new.phone,
            confidential=new.confidential,
        )
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=PARAMETER_OF_FIELD.get(exc.field, exc.field)) from None
    submitted = SubmittedRequest.objects.create(
        case=case,
        source=source,
        token=secrets.token_hex(16),
        media_url=new.media_url,
        account_id=new.account_id,
        device_id=new.device_id,
    )
    if new.media_url:
        # The photo stays where the client keeps it; the note puts its address in the case's history for staff.
        case_note(
            case_id=case.pk,
            actor=source.service_user,
            note=_("Photo sent with the Open311 request: %(url)s") % {"url": new.media_url},
        )
    return submitted
