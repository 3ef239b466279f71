# Domain apps in dependency order; each owns its urls.py (pages), api.py (JSON router) and
# isolation.py (its part of the tenant-isolation matrix).
DOMAIN_APPS = [
    "registry",
    "rules",
    "messaging",
    "contributions",
    "collection",
    "voluntary",
    "benefits",
    "identity",
    "exchange",
    "governance",
    "payroll",
    "interop",
    "insured",
    "stats",
]
