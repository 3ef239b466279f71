"""Payroll models, one module per entity group: benefits in payment (in_payment.py) and payroll
runs (runs.py). Import them here so Django finds them."""
