"""Rules every Margin widget, screen and app keeps with Textual, checked without running them.

A Margin class must never hide one of Textual's public attributes or methods by accident: a
``DocumentView.query`` string once replaced ``DOMNode.query()``, and double-clicking crashed
when Textual called it. And every key binding must lead to an action that exists.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

from textual.actions import parse
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import Keys, _character_to_key
from textual.reactive import Reactive

import tui.ui


def margin_classes() -> list[type[DOMNode]]:
    """Every DOM node class defined in ``tui.ui`` (widgets, screens, the app)."""
    for module in pkgutil.walk_packages(tui.ui.__path__, "tui.ui."):
        importlib.import_module(module.name)
    found: set[type[DOMNode]] = set()
    pending = [DOMNode]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("tui.ui."):
                found.add(subclass)
    return sorted(found, key=lambda cls: cls.__qualname__)


def textual_bases(cls: type) -> list[type]:
    return [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] == "textual"]


def assigned_on_self(cls: type) -> set[str]:
    """Names the class's own methods assign as ``self.<name> = …``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Attribute) and getattr(target.value, "id", None) == "self":
                names.add(target.attr)
    return names


def kind(value: object) -> str:
    """What sort of member this is, so that an override can be told from a clash."""
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if inspect.isfunction(value):
        return "method"
    if isinstance(value, Reactive):
        return "reactive"
    if isinstance(value, property):
        return "property"
    return "data"


def settable(value: object) -> bool:
    """Textual attributes meant to be set on an instance (``self.title = …``)."""
    return isinstance(value, Reactive) or (isinstance(value, property) and value.fset is not None)


# Deliberate redefinitions that are not overrides of the same kind, as (class, name): none yet.
# Add one only with a comment saying why hiding Textual's name is safe.
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def shadowed_names(cls: type) -> list[str]:
    """Public Textual names that ``cls`` hides with something of another kind."""
    bases = textual_bases(cls)
    clashes = []
    for name in sorted(set(vars(cls)) | assigned_on_self(cls)):
        if name.startswith("_") or (cls.__qualname__, name) in ALLOWED:
            continue
        base = next((base for base in bases if name in vars(base)), None)
        if base is None:
            continue
        theirs = inspect.getattr_static(base, name)
        if name in vars(cls):
            ours = vars(cls)[name]
            same_kind = kind(ours) == kind(theirs)
            if same_kind and (kind(ours) != "data" or theirs is None or isinstance(ours, type(theirs))):
                continue  # an override: compose, on_mount, BINDINGS, CSS_PATH, can_focus…
        elif settable(theirs):
            continue  # setting Textual's own attribute, e.g. self.sub_title
        clashes.append(f"{cls.__qualname__}.{name} hides {base.__qualname__}.{name}")
    return clashes


def test_no_margin_class_hides_a_public_textual_name() -> None:
    classes = margin_classes()
    assert len(classes) > 10  # the walk found the widgets and screens
    assert [clash for cls in classes for clash in shadowed_names(cls)] == []


def test_the_shadowing_check_catches_a_string_named_query() -> None:
    from textual.widget import Widget

    class Shadowing(Widget):
        label = "x"  # Widget has no public ``label``: fine

        def __init__(self) -> None:
            super().__init__()
            self.query = ""
            self.anchor = None

        def compose(self):  # an override of the same kind: fine
            return iter(())

    assert shadowed_names(Shadowing) == [
        "test_the_shadowing_check_catches_a_string_named_query.<locals>.Shadowing.anchor hides Widget.anchor",
        "test_the_shadowing_check_catches_a_string_named_query.<locals>.Shadowing.query hides DOMNode.query",
    ]


# Every key Textual can send: a printable character's name (``0``, ``dollar_sign``) or a named key.
KEYS = {_character_to_key(chr(code)) for code in range(32, 127)} | {key.value for key in Keys}


def test_every_binding_is_a_key_textual_sends_bound_to_an_action_that_exists() -> None:
    """A binding on a key name Textual never sends (``zero`` for ``0``) or on a missing
    action is a key that silently does nothing."""
    from tui.ui.app import MarginApp

    problems = []
    for cls in margin_classes():
        for binding in Binding.make_bindings(vars(cls).get("BINDINGS", [])):
            where = f"{cls.__qualname__} {binding.key!r} → {binding.action}"
            if binding.key not in KEYS:
                problems.append(f"{where}: not a key Textual sends")
            namespace, name, arguments = parse(binding.action)
            method = getattr(MarginApp if namespace == "app" else cls, f"action_{name}", None)
            try:
                inspect.signature(method).bind(None, *arguments)
            except (TypeError, ValueError):
                problems.append(f"{where}: no such action, or not with these arguments")
    assert problems == []


# Ids more than one class uses on purpose: one line of config.toml changes the key in all of them.
SHARED_IDS = {"prompt.cancel": {"TextPrompt", "ChoicePrompt"}}


def test_every_binding_has_a_stable_id_unique_to_its_class() -> None:
    """``config.toml``'s ``[keys]`` names bindings by id, and Textual's keymap applies an id
    everywhere it occurs: an id missing, malformed or reused by accident is a key the user
    cannot change, or changes in two places at once."""
    import re

    owners: dict[str, set[str]] = {}
    problems = []
    for cls in margin_classes():
        seen: set[str] = set()
        for binding in vars(cls).get("BINDINGS", []):  # "h,left" is one binding, one id
            assert isinstance(binding, Binding), f"{cls.__qualname__}: {binding!r} is not a Binding"
            where = f"{cls.__qualname__} {binding.key!r} → {binding.action}"
            if binding.id is None:
                problems.append(f"{where}: no id")
                continue
            if not re.fullmatch(r"[a-z0-9.-]+", binding.id) or "." not in binding.id:
                problems.append(f"{where}: id {binding.id!r} is not dotted [a-z0-9.-]")
            if binding.id in seen:
                problems.append(f"{where}: id {binding.id!r} twice in the class")
            seen.add(binding.id)
            owners.setdefault(binding.id, set()).add(cls.__qualname__)
    for binding_id, classes in owners.items():
        if len(classes) > 1 and classes != SHARED_IDS.get(binding_id):
            problems.append(f"{binding_id!r} is used by {sorted(classes)}")
    assert problems == []
    assert {"view.sentence", "view.down", "pane.search", "browser.sort", "codebook.rename", "memo.save",
            "reader.undo", "reader.tag-theme-1", "reader.tag-theme-9"} <= set(owners)
