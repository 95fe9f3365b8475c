"""The current request's client address and API token, so audit rows written deep in a service know them."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
# The id of the API token that authenticated this request, if any (written into every audit row's detail).
api_token: ContextVar[int | None] = ContextVar("api_token", default=None)
