"""One blueprint per `/api/auth/` and `/api/users/` resource family."""
