"""`GET /api/healthchecker`: is the database there, and is the cache shared or local."""
