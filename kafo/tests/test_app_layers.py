"""The domain apps are layers: a module of kafo/<app>/ imports, when it is loaded, only the apps
that come before <app> in config/domains.py DOMAIN_APPS (and the shared modules outside them).

An import inside a function or under `if TYPE_CHECKING:` is not counted: it runs only when it
is called. The back-arrows that remain are listed in KNOWN with their reason; the test fails on
a new one and on an entry that no longer holds, so the list can only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from config.domains import DOMAIN_APPS

KAFO = Path(__file__).resolve().parents[1]
RANK = {app: i for i, app in enumerate(DOMAIN_APPS)}

# (module under kafo/, the later app it imports at load time) -> why it is still so.
KNOWN = {
    ("registry/services.py", "interop"): (
        "a registration or insured-status change records its notification in interop's outbox "
        "inside the same transaction; needs an event hook that interop registers"
    ),
    ("messaging/workers.py", "contributions"): (
        "the SMS to declared and undeclared workers read declarations: the module belongs "
        "with contributions (it only uses messaging's queue)"
    ),
    ("messaging/tests/test_workers.py", "contributions"): "tests messaging/workers.py, above",
    ("contributions/account_views.py", "collection"): (
        "the employer account page lists collection notices: moves away with the employer "
        "accounts app planned after collection"
    ),
    ("benefits/tests/test_browser.py", "governance"): (
        "an approval needs a delegation of signature, which a governance decision grants: "
        "the tests build it through governance's services"
    ),
    ("benefits/tests/test_claims.py", "governance"): "as benefits/tests/test_browser.py",
    ("benefits/tests/test_pages_claims.py", "governance"): "as benefits/tests/test_browser.py",
}


def _package(path: Path) -> list[str]:
    """Return the package a relative import in `path` starts from (its folder, as dotted parts)."""
    return list(path.relative_to(KAFO.parent).parent.parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load_time_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield the statements run when the module is imported: the module's body with its
    if/try/with/class blocks, not function bodies nor `if TYPE_CHECKING:`."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            if not _is_type_checking(node):
                yield from _load_time_statements(node.body)
            yield from _load_time_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _load_time_statements(block)
            for handler in node.handlers:
                yield from _load_time_statements(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _load_time_statements(node.body)


def imported_modules(source: str, package: list[str]) -> set[str]:
    """Return the dotted names a module imports at load time, relative imports resolved."""
    names = set()
    for node in _load_time_statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def later_apps(app: str, modules: set[str]) -> set[str]:
    """Return the domain apps after `app` that `modules` reach."""
    found = set()
    for name in modules:
        parts = name.split(".")
        if len(parts) > 1 and parts[0] == "kafo" and RANK.get(parts[1], -1) > RANK[app]:
            found.add(parts[1])
    return found


def back_arrows() -> set[tuple[str, str]]:
    arrows = set()
    for app in DOMAIN_APPS:
        for path in sorted((KAFO / app).rglob("*.py")):
            modules = imported_modules(path.read_text(encoding="utf-8"), _package(path))
            module = path.relative_to(KAFO).as_posix()
            arrows.update((module, later) for later in later_apps(app, modules))
    return arrows


def test_no_app_imports_a_later_app_when_loaded():
    arrows = back_arrows()
    assert sorted(arrows - KNOWN.keys()) == []
    assert sorted(KNOWN.keys() - arrows) == []  # gone: remove it from KNOWN


def test_rules_no_longer_import_contributions():
    assert not any(module.startswith("rules/") for module, _ in back_arrows())


def test_imports_are_resolved_as_python_does():
    package = ["kafo", "rules"]
    source = "\n".join(
        [
            "from typing import TYPE_CHECKING",
            "from kafo.registry.models import Person",
            "from ..contributions.domain import compute",
            "from .. import benefits",
            "import kafo.identity.models",
            "if TYPE_CHECKING:",
            "    from kafo.stats import models",
            "try:",
            "    from kafo.payroll import runs",
            "except ImportError:",
            "    pass",
            "def later():",
            "    from kafo.governance import services",
        ]
    )
    modules = imported_modules(source, package)
    assert later_apps("rules", modules) == {"contributions", "benefits", "identity", "payroll"}
    assert later_apps("stats", modules) == set()
