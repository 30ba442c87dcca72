"""Place pages: the grid map, its GeoJSON layer, place detail and point resolution."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiedao.accounts.models import RoleAssignment
from jiedao.accounts.permissions import access_user, can_view_full_contact
from jiedao.accounts.services import user_contact_reveal
from jiedao.core.errors import ActionForbidden
from jiedao.core.masking import mask_phone
from jiedao.places import geo, selectors
from jiedao.places.choices import Level
from jiedao.places.models import Place
from jiedao.places.permissions import access_place
from jiedao.units.models import Unit


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    config = {
        "layerUrl": request.build_absolute_uri("/places/map.geojson"),
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "cardUrl": "/places/{id}/card/",
    }
    return render(request, "places/map.html", {"map_config": config})


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.map_layer(request.user))


@login_required
@require_GET
def place_list(request: HttpRequest) -> HttpResponse:
    places = Place.objects.within(request.user).select_related("parent").order_by("code")
    level = request.GET.get("level", "")
    if level in Level.values:
        places = places.filter(level=level)
    query = request.GET.get("q", "").strip()
    if query:
        places = places.filter(name__icontains=query) | places.filter(code__startswith=query)
    page = Paginator(places, 50).get_page(request.GET.get("page"))
    return render(request, "places/list.html", {"page": page, "levels": Level.choices, "level": level, "q": query})


def _place_context(request: HttpRequest, place_id: int) -> dict[str, object]:
    place = access_place(request.user, place_id)
    staff = RoleAssignment.objects.filter(place=place).select_related("user").order_by("role", "user__username")
    people = [
        {
            "user": a.user,
            "role": a.get_role_display(),
            "phone": mask_phone(a.user.phone),
            "can_reveal": bool(a.user.phone) and can_view_full_contact(request.user, a.user),
        }
        for a in staff
    ]
    units = Unit.objects.visible_to(request.user).filter(serves=place).order_by("name")
    return {
        "place": place,
        "summary": selectors.place_summary(place),
        "children": selectors.child_table(place) if place.level != Level.GRID else [],
        "buildings": place.buildings.order_by("number")[:200] if place.level == Level.GRID else [],
        "people": people,
        "units": units,
    }


@login_required
@require_GET
def place_detail(request: HttpRequest, place_id: int) -> HttpResponse:
    return render(request, "places/detail.html", _place_context(request, place_id))


@login_required
@require_GET
def place_card(request: HttpRequest, place_id: int) -> HttpResponse:
    """The short panel the map shows when a polygon is clicked (loaded by htmx)."""
    return render(request, "places/_card.html", _place_context(request, place_id))


@login_required
@require_POST
def reveal_phone(request: HttpRequest, user_id: int) -> HttpResponse:
    """Show one staff member's full phone number; the view is recorded in the audit log."""
    subject = access_user(request.user, user_id)
    try:
        phone = user_contact_reveal(viewer=request.user, subject=subject, request=request)
    except ActionForbidden:
        return HttpResponse(_("You may not see this number."), status=403)
    return HttpResponse(format_html('<span class="pii-full">{}</span>', phone))


@login_required
@require_GET
def resolve(request: HttpRequest) -> JsonResponse:
    """Resolve ?lng=&lat= to grid → community → office; only places the user may see are named."""
    try:
        lng = float(request.GET["lng"])
        lat = float(request.GET["lat"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lng and lat as decimal degrees.")}, status=400)
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        return JsonResponse({"error": _("lng must be within ±180 and lat within ±90.")}, status=400)
    found = geo.resolve_point(lng, lat)
    if not found.found:
        return JsonResponse({"found": False, "message": _("This point is outside every grid.")})
    visible = {
        p.pk: p
        for p in Place.objects.visible_to(request.user).filter(
            pk__in=[found.grid_id, found.community_id, found.office_id]
        )
    }
    if found.grid_id not in visible:
        return JsonResponse({"found": False, "message": _("This point is outside every grid.")})

    def describe(pk: int | None) -> dict[str, object] | None:
        place = visible.get(pk) if pk is not None else None
        return {"id": place.pk, "code": place.code, "name": place.name} if place else None

    return JsonResponse(
        {
            "found": True,
            "grid": describe(found.grid_id),
            "community": describe(found.community_id),
            "office": describe(found.office_id),
        }
    )
