from django.contrib import admin
from django.urls import include, path

from accounts.views import home

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v0/b2b/", include("contracts.api.urls")),
    path("", include("learners.urls")),
]
