from django.urls import path

from contracts.api import views

app_name = "b2b"

urlpatterns = [
    # <path:...> so that a code with a slash in it still reaches the view and gets our 404.
    path(
        "attach/<path:enrollment_code>/",
        views.ContractAttachApi.as_view(),
        name="attach",
    ),
]
