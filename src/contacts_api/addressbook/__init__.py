"""The address book: each user's private contact cards under `/api/contacts/`."""


def blueprints():
    from .views import contacts, transfer

    return [contacts.blp, transfer.blp]
