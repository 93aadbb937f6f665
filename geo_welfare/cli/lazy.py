"""A command group's subcommands imported by name, the first time one is asked for.

``geo-welfare map district`` used to import every command module before it parsed a word: the
import commands (and through them GeoPandas and the partial-import reports), the analyses, the
users' password hashing, the web server …, about 1.2 CPU s of a 2.6 CPU s page.  This is click's
documented lazy-loading pattern (its ``LazyGroup``, whose ``get_command`` and ``list_commands``
import by name), put in the one place a :class:`click.Group` reads its commands from: the group
answers ``list_commands`` with ``sorted(self.commands)`` and ``get_command`` with
``self.commands.get(name)``, and ``NoSuchCommand`` suggests names from ``self.commands``.  With a
:class:`LazyCommands` as its ``commands`` the names are known without importing anything, and a
command's module is imported only when that command is run or its help line is drawn.  Anything
that walks ``commands.items()`` (every help page, a test) still meets every command, loaded then.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping

import click


class LazyCommands(MutableMapping):
    """A group's commands by name; a lazy one is imported from ``"module:attribute"`` when first read.

    Parameters
    ----------
    loaded
        The commands the group already holds (declared beside it, such as ``init``): kept first.
    lazy
        The others, name → ``"module:attribute"`` of the command object (its name must be the key).
    extend
        Commands other modules add to one of these groups once it is loaded, group name → a ``lazy``
        table of its own (``import gazetteer`` lives beside ``geocode``, not in the import module),
        so running ``import areas`` does not import the geocoder either.
    """

    def __init__(self, loaded: Mapping[str, click.Command], lazy: Mapping[str, str],
                 extend: Mapping[str, Mapping[str, str]] | None = None):
        self._lazy = {name: target for name, target in lazy.items() if name not in loaded}
        self._commands: dict[str, click.Command | None] = {**loaded, **dict.fromkeys(self._lazy)}
        self._extend = dict(extend or {})

    def __getitem__(self, name: str) -> click.Command:
        if name in self._lazy:
            module, attribute = self._lazy[name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            if name in self._extend and isinstance(command, click.Group):
                command.commands = LazyCommands(command.commands, self._extend[name])
            del self._lazy[name]
            self._commands[name] = command
        return self._commands[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._lazy.pop(name, None)
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        self._lazy.pop(name, None)
        del self._commands[name]

    def __contains__(self, name: object) -> bool:  # known without importing it
        return name in self._commands

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._commands))

    def __len__(self) -> int:
        return len(self._commands)
