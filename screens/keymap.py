"""The keys the workstation binds, as the config file's ``[keys]`` table checks them.

Every key a collector presses is a :class:`~textual.binding.Binding` with an id (``queue.next``,
``account.back``, ``form.save``, ...). ``[keys]`` in the config file gives an id other keys;
:func:`collector_tui.config.read_keymap` checks the table against what :func:`bound_keys` lists
for each screen, and the App hands the result to :meth:`textual.app.App.set_keymap` when it starts.
"""

from __future__ import annotations

import unicodedata

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, REPLACED_KEYS, Keys, key_to_character

from collector_tui.config import BoundKey

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED = frozenset(key.value for key in Keys if "+" not in key.value and not key.value.startswith("<"))


def _character_key(character: str) -> str:
    """A character's key name, as Textual names it (``?`` is ``question_mark``)."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:  # a control character has no name
        return character
    return KEY_NAME_REPLACEMENTS.get(name, name)


def _named_key(name: str) -> bool:
    """``enter``, ``f5``, ``pageup``, ``question_mark``, ``slash``, ...: a key Textual names."""
    return name in _NAMED or key_to_character(REPLACED_KEYS.get(name, name)) is not None


def normal_key(text: str) -> str | None:
    """The key as Textual names it (``?`` -> ``question_mark``, ``Ctrl+N`` -> ``ctrl+n``), or None if
    it is no key: a modifier it does not know, a modifier twice, a name no key has."""
    text = text.strip()
    if len(text) == 1:
        return _character_key(text) if text.isprintable() and not text.isspace() else None
    *modifiers, base = text.split("+")
    modifiers = [modifier.lower() for modifier in modifiers]
    if any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return None
    if len(base) == 1:
        if not modifiers or not base.isalnum():
            return None
        return "+".join([*modifiers, base.lower()])
    base = base.lower()
    return "+".join([*modifiers, base]) if _named_key(base) else None


def bound_keys(node: type[DOMNode]) -> list[BoundKey]:
    """The keys a screen, widget or app class binds, its own and inherited, merged as Textual merges
    them (a subclass's binding for a key replaces its base's); Textual's own come without an id."""
    merged: dict[str, Binding] = {}
    for cls in reversed(node.__mro__):
        if issubclass(cls, DOMNode):
            by_key: dict[str, Binding] = {}
            for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
                by_key.setdefault(binding.key, binding)
            merged.update(by_key)
    return [BoundKey(b.id, key, b.action) for key, b in merged.items()]
