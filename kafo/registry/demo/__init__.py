"""Believable demo data for a whole zone: `kafo seed_demo`.

`names` holds the name lists, places, sectors and employer name patterns; `generate` builds the
zone as plain records from a seed (no Django, no database, no clock); `load` writes them in bulk
and creates the demo logins.
"""
