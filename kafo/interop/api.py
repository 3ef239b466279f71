"""No /api/ operations: the SPDCI endpoints are mounted at the standard's own paths (urls.py)."""

from ninja import Router

router = Router(tags=["interop"])
