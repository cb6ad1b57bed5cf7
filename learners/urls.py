from django.urls import path

from learners import views

app_name = "learners"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("enrollmentcode/", views.code_enter, name="enter"),
    # <path:...> so that a code with a slash in it still reaches the view and gets its answer.
    path("enrollmentcode/<path:code>/", views.code_redeem, name="redeem"),
]
