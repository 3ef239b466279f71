"""Every agreement the engine can write is shown in the user's language."""

from django.utils import translation

from kafo.identity.linkage import model
from kafo.identity.linkage.linker import explain
from kafo.identity.templatetags.agreements import agreement


def test_every_engine_level_has_a_label():
    pair = {f"g_{name}": max(levels) for name, levels in model.LEVELS.items()}
    pair |= {"swapped": True, "guard": True}
    lines = explain(pair) + [
        f"{name}: {label}" for name, levels in model.LEVELS.items() for label in levels.values()
    ]
    with translation.override("fr"):
        shown = [agreement(line) for line in lines]
    untranslated = [line for line, text in zip(lines, shown, strict=True) if text == line]
    assert untranslated == []
    assert agreement("date: same date") == "naissance : même date"


def test_hint_labels_and_unknown_lines():
    with translation.override("fr"):
        assert agreement("names: agree (family and given names swapped)") == (
            "noms : concordent (nom et prénoms inversés)"
        )
        assert agreement("something else") == "something else"
