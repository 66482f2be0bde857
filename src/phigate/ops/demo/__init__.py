"""`phigate demo`: embedded PostgreSQL with a synthetic EHR, demo identities and policy."""
