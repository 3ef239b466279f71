"""The JSON API: one NinjaAPI mounting each domain's router."""

from ninja import NinjaAPI

from kafo.accounts.api_auth import ApiAuth
from kafo.api_errors import install_error_handlers

api = NinjaAPI(
    title="Kafo API",
    version="1",
    description="Registry of employers and insured persons of the CIPRES zone's organisations. "
    "Authenticate with `Authorization: Bearer <token>`; every answer is scoped to the token "
    "owner's organisation.",
    auth=ApiAuth(),
    urls_namespace="api",
)
install_error_handlers(api)


def _mount_routers() -> None:
    from importlib import import_module

    from config.domains import DOMAIN_APPS

    for app in DOMAIN_APPS:
        api.add_router("/", import_module(f"kafo.{app}.api").router)


_mount_routers()
