"""The user's settings file: ``config.toml`` in the user's config directory.

``platformdirs.user_config_dir("margin")``: on Linux ``$XDG_CONFIG_HOME/margin`` or
``~/.config/margin``. For now it holds one table, ``[keys]``: a binding's id (the help screen,
``?``, shows them) and the key or keys, comma-separated, that should run it::

    [keys]
    view.sentence = "ctrl+e"
    reader.undo = "u,ctrl+z"

The file is optional and never stops Margin from opening: a file that is too big, not UTF-8 or
not TOML is ignored whole, and an entry that names no binding, is not a key in quotes, or
takes a key another binding in the same place already has is ignored alone; each gives a
one-line warning naming the file, the line when it can be found, and the entry. Those bindings
keep their default keys. UI-free: the caller says which ids exist, which keys are valid and
which bindings work together.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

# A settings file is a few lines; anything bigger is a mistake (a wrong file), not a config.
MAX_CONFIG_BYTES = 64 * 1024

SECTIONS = ("keys",)


def config_path() -> Path:
    """Where Margin reads the user's settings (the file need not exist)."""
    return Path(user_config_dir("margin")) / "config.toml"


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the current folder when inside it,
    else with ``~`` for the home folder."""
    try:
        path = Path(os.path.abspath(path))
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the current folder, or that folder is gone
        pass
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


@dataclass
class KeyConfig:
    """The ``[keys]`` entries that can be applied (binding id → ``"key1,key2"``) and one
    warning per problem found."""

    keys: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_key_config(path: Path, known_ids: Collection[str],
                    normalize: Callable[[str], str | None] = lambda key: key) -> KeyConfig:
    """The ``[keys]`` table of ``path``, checked against the binding ids that exist.

    ``normalize`` turns one key as the user wrote it (``"?"``, ``"ctrl+e"``) into the form the
    bindings use (``"question_mark"``), or None when it is not a key at all. A missing file is
    no config and no warning."""
    config = KeyConfig()
    shown = display_path(path)
    try:
        # Non-blocking, then checked: a FIFO would hold up the start for ever.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                config.warnings.append(f"{shown}: not a regular file, so not read; default keys are used")
                return config
            raw = stream.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return config
    except OSError as error:
        config.warnings.append(f"{shown}: cannot be read ({error.strerror or error}); default keys are used")
        return config
    if len(raw) > MAX_CONFIG_BYTES:
        config.warnings.append(f"{shown}: larger than {MAX_CONFIG_BYTES // 1024} KiB, so not read; "
                               "default keys are used")
        return config
    import tomllib  # only when there is a config file to read

    try:
        text = raw.decode("utf-8")
        table = tomllib.loads(text)
    except UnicodeDecodeError:
        config.warnings.append(f"{shown}: not UTF-8 text, so not read; default keys are used")
        return config
    except tomllib.TOMLDecodeError as error:
        config.warnings.append(f"{shown}: not valid TOML ({error}); default keys are used")
        return config

    for name in table:
        if name not in SECTIONS:
            config.warnings.append(f"{shown}{_line_of(text, None, name)}: unknown setting {name!r} ignored "
                                   "(Margin reads [keys])")
    keys = table.get("keys", {})
    if not isinstance(keys, dict):
        config.warnings.append(f"{shown}{_line_of(text, None, 'keys')}: keys must be a table, [keys]; ignored")
        return config
    known = set(known_ids)
    for binding_id, value in _flatten(keys):
        where = f"{shown}{_line_of(text, 'keys', binding_id)}: [keys] {binding_id}"
        if binding_id not in known:
            config.warnings.append(f"{where}: no key binding has this id (help, ?, lists the ids); ignored")
            continue
        if not isinstance(value, str):
            config.warnings.append(f'{where}: the key must be text in quotes, like "ctrl+e"; ignored')
            continue
        written = [key.strip() for key in value.split(",")]
        normalized = [normalize(key) if key else None for key in written]
        bad = [key for key, result in zip(written, normalized, strict=True) if result is None]
        if bad:
            config.warnings.append(f"{where}: {', '.join(repr(key) for key in bad)} is not a key; ignored")
            continue
        config.keys[binding_id] = ",".join(dict.fromkeys(key for key in normalized if key))
    return config


def _flatten(table: Mapping[str, object], prefix: str = "") -> Iterable[tuple[str, object]]:
    """``view.sentence = "x"`` unquoted is a dotted key, a table in a table: one id again."""
    for name, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")


def _line_of(text: str, section: str | None, dotted: str) -> str:
    """`` line N`` where ``dotted`` is set in ``[section]`` (None: the top level), or ``""``."""
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = _plain_key(header.group(1))
            if section is None and current == dotted:
                return f" line {number}"
            continue
        if current == section and "=" in line:
            if _plain_key(line.split("=", 1)[0]) == dotted:
                return f" line {number}"
    return ""


def _plain_key(written: str) -> str:
    """``"view" . sentence`` → ``view.sentence`` (quotes and spaces around dots dropped)."""
    return ".".join(part.strip().strip("\"'") for part in written.split("."))


def key_conflicts(places: Iterable[tuple[str, Sequence[tuple[str | None, str]]]],
                  keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """``keys`` without the entries that take a key another binding in the same place has, and
    a warning for each such clash.

    A place is a name (``"the reader"``) and the bindings that work together there, as
    ``(id, default keys)``; an id of None is a key that cannot be changed (Textual's own).
    Keys are compared as ``normalize`` left them. Defaults that share a key are not the user's
    doing and are not reported; two remapped bindings on one key are both dropped."""
    places = [(name, list(bindings)) for name, bindings in places]
    applied = dict(keys)
    warnings: list[str] = []
    reported: set[tuple[str, str, str]] = set()
    while True:
        dropped: set[str] = set()
        for name, bindings in places:
            owners: dict[str, str | None] = {}
            for binding_id, default in bindings:
                current = applied.get(binding_id, default) if binding_id else default
                for key in current.split(","):
                    if key not in owners:
                        owners[key] = binding_id
                        continue
                    other = owners[key]
                    if other == binding_id:
                        continue
                    for culprit, victim in ((binding_id, other), (other, binding_id)):
                        if culprit in applied and (culprit, key, name) not in reported:
                            reported.add((culprit, key, name))
                            dropped.add(culprit)
                            taken_by = f"{victim}" if victim else "a built-in key"
                            warnings.append(f"[keys] {culprit}: {key!r} is already {taken_by} in {name}; "
                                            f"{culprit} keeps its default key")
        if not dropped:
            return applied, warnings
        for binding_id in dropped:
            applied.pop(binding_id, None)
