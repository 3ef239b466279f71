"""Who is acting and from where, for the audit trail (set per request or per command)."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    ip_address: str | None = None


SYSTEM = Actor(user_id=None, label="system")
_current_actor: contextvars.ContextVar[Actor] = contextvars.ContextVar("kafo_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current_actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current_actor.set(actor)
    try:
        yield actor
    finally:
        _current_actor.reset(token)


def set_actor(actor: Actor) -> None:
    """Set the actor for the rest of the current request (reset by the middleware)."""
    _current_actor.set(actor)


def actor_for(user, ip_address: str | None) -> Actor:
    if user is None or not user.is_authenticated:
        return Actor(user_id=None, label="anonymous", ip_address=ip_address)
    return Actor(user_id=user.pk, label=user.get_username(), ip_address=ip_address)
