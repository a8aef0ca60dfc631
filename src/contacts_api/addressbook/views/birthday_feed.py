"""The birthday calendar: `/api/contacts/birthdays.ics` and its secret, credential-free URL."""

from flask import Response, g, request

from ...http import Blueprint, current_user_id
from .. import feed
from ..schemas import FeedUrlSchema
from .contacts import LIST_TTL

blp = Blueprint("birthday_feed", __name__, url_prefix="/api",
                description="The birthday calendar feed")

ICALENDAR = {"type": "string", "description": "An iCalendar (RFC 5545) feed"}


def feed_owner():
    """The user the secret URL belongs to, looked up once per request (404 if none)."""
    if "feed_owner" not in g:
        g.feed_owner = feed.feed_owner(request.view_args["secret"])
    return g.feed_owner


def ics(body: bytes) -> Response:
    return Response(body, mimetype="text/calendar")


@blp.route("/contacts/birthdays.ics", methods=["GET"])
@blp.login_required
@blp.cached(timeout=LIST_TTL)
@blp.response(200, ICALENDAR, content_type="text/calendar")
def birthdays_calendar():
    """Your contacts' birthdays as an iCalendar feed."""
    return ics(feed.calendar(current_user_id()))


@blp.route("/calendar/<secret>.ics", methods=["GET"])
@blp.doc(security=[{}])
@blp.cached(timeout=LIST_TTL, owner=feed_owner)
@blp.response(200, ICALENDAR, content_type="text/calendar")
@blp.alt_response(404, response="NOT_FOUND", description="Unknown or revoked secret")
def shared_calendar(secret):
    """The birthday feed at its secret URL, without credentials (for calendar apps)."""
    return ics(feed.calendar(feed_owner()))


@blp.route("/users/me/calendar-feed", methods=["POST"])
@blp.login_required
@blp.response(201, FeedUrlSchema)
def create_feed_url():
    """Make a secret URL for your birthday feed; a previous one stops working."""
    return feed.create_feed_url(current_user_id())


@blp.route("/users/me/calendar-feed", methods=["DELETE"])
@blp.login_required
@blp.response(204)
def delete_feed_url():
    """Revoke the secret URL of your birthday feed."""
    feed.delete_feed_url(current_user_id())
