from django.apps import AppConfig


class OverlaysConfig(AppConfig):
    """Stream overlays for OBS: alerts, a goal bar and supporters, behind a secret URL."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "overlays"

    def ready(self) -> None:
        from live.goals import GoalProvider, public_goal_register
        from overlays import receivers  # noqa: F401 - the tip-events consumer, the hide hook
        from overlays.selectors import public_goal_state
        from overlays.services import overlay_channel

        # The tip page and widgets (widgets) show the goal through live, a lower app.
        public_goal_register(GoalProvider(state=public_goal_state, channel=overlay_channel))
