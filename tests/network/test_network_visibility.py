"""The User object: guaranteed, public, protected and relationship fields, and omission."""

from contacts_api.accounts.models import PROFILE_FIELDS

from .helpers import T, shape

FULL_PROFILE = {name: f"{name} value" for name in PROFILE_FIELDS}
PUBLIC_PART = {name: value for name, value in FULL_PROFILE.items()
               if name in ("organization", "title") or name.endswith(
                   ("_locality", "_region", "_country"))}


def subject_view(subject, **extra):
    return {"id": subject.id.hex, "first_name": "Conrad", "last_name": "Zunut",
            "updated": T} | extra


def test_the_four_viewers(api, make_user, connect):
    subject = make_user("conrad", first_name="Conrad", last_name="Zunut", **FULL_PROFILE)
    stranger = make_user("stranger")
    contact = make_user("contact")
    recipient = make_user("recipient")
    requester = make_user("requester")
    connect(subject, contact)
    api(subject).post("/1/requests", data={"id": recipient.id.hex})
    api(requester).post("/1/requests", data={"id": subject.id.hex})

    def seen_by(viewer):
        found = api(viewer).get("/1/find?email=conrad@example.com")
        return shape(found.get_json()[0])

    assert seen_by(stranger) == subject_view(subject, **PUBLIC_PART)
    assert seen_by(contact) == subject_view(subject, **FULL_PROFILE, contact_added=T)
    assert seen_by(recipient) == subject_view(subject, **FULL_PROFILE, request_received=T)
    # Having *sent* the subject a request shows nothing more.
    assert seen_by(requester) == subject_view(subject, **PUBLIC_PART, request_sent=T)
    assert seen_by(subject) == subject_view(subject, **FULL_PROFILE, you=True)


def test_empty_properties_are_omitted(api, make_user):
    bare = make_user("bare", first_name="Bare", last_name="Bones", organization="",
                     title=None, home_email="")
    assert shape(api(bare).get("/1/you").get_json()) == {
        "id": bare.id.hex, "first_name": "Bare", "last_name": "Bones", "updated": T,
        "you": True}


def test_guaranteed_fields_stay_even_when_empty(api, make_user):
    nameless = make_user("nameless")
    assert shape(api(nameless).get("/1/you").get_json()) == {
        "id": nameless.id.hex, "first_name": "", "last_name": "", "updated": T, "you": True}


def test_timestamps_are_iso_8601_utc_with_milliseconds(api, alice):
    updated = api(alice).get("/1/you").get_json()["updated"]
    assert updated == alice.profile_updated_at.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")
