from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("jiedao.accounts.urls")),
    path("places/", include("jiedao.places.urls")),
    path("categories/", include("jiedao.categories.urls")),
    path("cases/", include("jiedao.cases.urls")),
    path("r/", include("jiedao.cases.public_urls")),
    path("notifications/", include("jiedao.notifications.urls")),
    path("analytics/", include("jiedao.analytics.urls")),
    path("triage/", include("jiedao.triage.urls")),
    path("hotspots/", include("jiedao.hotspots.urls")),
    path("reports/", include("jiedao.reports.urls")),
    path("api/", include("jiedao.api.urls")),
    path("integrations/", include("jiedao.integrations.urls")),
    path("open311/", include("jiedao.open311.urls")),
    path("upstream/", include("jiedao.upstream.urls")),
    path("", include("jiedao.web.urls")),
]
