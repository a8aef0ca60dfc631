"""The Atomic Contacts v1 network (`/1/`): users, their links, invites and discovery."""

# Imported for their side effects: the lookup-maintaining mapper events, the receiver
# that turns invites into requests when an address is claimed, and cache invalidation.
from . import indexing, invalidation, invites  # noqa: F401


def blueprints():
    from .views import blocks, contacts, discovery, legal, requests, users, you
    from .views import invites as invite_views

    return [module.blp for module in (users, you, contacts, requests, invite_views, blocks,
                                      discovery, legal)]
