"""The address book: each user's private contact cards under `/api/contacts/`."""


def blueprints():
    from .views import contacts

    return [contacts.blp]
