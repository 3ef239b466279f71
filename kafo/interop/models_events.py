"""The notifications outbox and the civil-registry (CRVS) client's rows (imported by models.py)."""
