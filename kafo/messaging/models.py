"""Messaging models (SMS and e-mail messages, opt-outs)."""
