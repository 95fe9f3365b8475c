from shequ.testing.scope import OWNER_ONLY, Probe, ScopeCase
from shequ.testing.world import World


def _bobs_notification(world: World) -> Probe:
    from web.models import Notification

    note = Notification.objects.create(user=world.bob, title="桥东社区的私信")

    def unread() -> bool:
        return Notification.objects.get(pk=note.pk).read_at is None

    return Probe(url=f"/notifications/{note.pk}/read/", method="post", kind="detail", unchanged=unread)


def _inbox(world: World) -> Probe:
    from web.models import Notification

    Notification.objects.create(user=world.bob, title="桥东社区的私信")
    return Probe(url="/notifications/", kind="list", marker="桥东社区的私信")


CASES = [
    ScopeCase("notifications/<int:pk>/read/", _bobs_notification, methods=("post",), **OWNER_ONLY),
    ScopeCase("notifications/", _inbox, **OWNER_ONLY),
]

OPEN_ROUTES = {
    "": "home page: shows only the signed-in user's own unit",
    "elder-mode/": "toggles a display preference",
    "accessibility/": "static help page",
    "api/": "API root (no data)",
    "api/docs": "OpenAPI documentation",
    "api/openapi.json": "OpenAPI schema",
}
