"""One blueprint per `/1/` resource family."""
