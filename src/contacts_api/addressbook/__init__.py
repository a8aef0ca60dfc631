"""The address book: each user's private contact cards under `/api/contacts/`."""
