"""The current request's client address, so audit rows written deep in a service know it."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
