"""One blueprint per `/api/contacts/` resource family."""
