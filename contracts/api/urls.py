from django.urls import path

from contracts.api import views

app_name = "b2b"

urlpatterns = [
    path("organizations/", views.OrganizationListApi.as_view(), name="organizations"),
    path(
        "organizations/<slug:organization_slug>/",
        views.OrganizationDetailApi.as_view(),
        name="organization",
    ),
    path("contracts/", views.ContractListApi.as_view(), name="contracts"),
    path("contracts/<slug:contract_slug>/", views.ContractDetailApi.as_view(), name="contract"),
    # <path:...> so that a code with a slash in it still reaches the view and gets our 404.
    path(
        "attach/<path:enrollment_code>/",
        views.ContractAttachApi.as_view(),
        name="attach",
    ),
]
