from django.apps import AppConfig


class LearnersConfig(AppConfig):
    """Pages a learner uses: redeem an enrollment code, see the contracts joined."""

    name = "learners"
