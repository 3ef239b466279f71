"""Collection follow-up models (assessments, notices)."""
