"""The address book: each user's private contact cards under `/api/contacts/`."""


def blueprints():
    from .views import birthday_feed, contacts, duplicates, labels, transfer

    return [contacts.blp, labels.blp, duplicates.blp, birthday_feed.blp, transfer.blp]
