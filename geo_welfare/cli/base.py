"""What every ``geo-welfare`` command shares: the context, exit codes, error handling, help pages, option helpers.

Exit codes scripts can trust: 0 done; 1 the input was refused (nothing was written);
2 the command line was wrong; 3 the store could not be used; 4 an unexpected error (a bug:
``GEO_WELFARE_DEBUG=1`` shows the traceback).  Errors go to stderr, the
first line being the one-line reason.  Messages are Japanese unless ``--lang en`` or
``GEO_WELFARE_LANG=en``.

Help pages are words of the catalogue too, in one language: a command's, option's or argument's
``help`` (and a command's ``epilog``) is a catalogue key that :class:`Command`, :class:`Group`,
:class:`Option` and :class:`Argument` translate when the page is drawn; docstrings stay developer
documentation in English.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from geo_welfare.core import config as settings
from geo_welfare.core import glossary
from geo_welfare.core.errors import (EXIT_INPUT, EXIT_INTERNAL, EXIT_STORE, EXIT_USAGE,  # noqa: F401
                                     GeoWelfareError, InputError, UsageError)
from geo_welfare.core.words import t
from geo_welfare.cli import click_words

click_words.install()

if TYPE_CHECKING:  # the network is imported when a command needs one, not for --help
    from geo_welfare.network.graph import WalkingNetwork

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Context:
    """What every subcommand shares: the store URL and the language."""

    def __init__(self, database: str | None, lang: str | None):
        self.database_url = settings.database_url(database)
        self.lang = settings.language(lang)
        click_words.speak(self.lang)  # click's own errors, printed after the command, in this language too

    def engine(self):
        from geo_welfare.store import open_store
        return open_store(self.database_url)

    def say(self, key: str, **values: object) -> None:
        click.echo(t(key, self.lang, **values), err=True)

    def network(self, path: Path | None, *, report: bool = True) -> WalkingNetwork | None:
        """The street network of ``path`` through the cache beside the store, or None (straight lines).

        Every command loads it this way (:func:`geo_welfare.network.cache.load_network`), so a
        network built once is reused by all; with ``report`` it says which it is and whether the
        build came from the cache.
        """
        from geo_welfare.network.cache import load_network
        network, was_cached = load_network(path, settings.cache_directory(self.database_url))
        if report and network is None:
            self.say("straight_line_only")
        elif report:
            self.say("network_loaded", nodes=network.node_count, edges=network.edge_count,
                     cached=t("from_cache" if was_cached else "built", self.lang))
        return network


def _fail(error: GeoWelfareError, lang: str) -> None:
    """Print the reason (first line) and details, then exit with the code for its kind."""
    if isinstance(error, InputError):
        click.echo(t("nothing_written", lang), err=True)
    click.echo(error.message(lang), err=True)
    sys.exit(error.exit_code)


# --- help pages in the reader's language --------------------------------------------------------
#
# Every help text (a command's description and epilog, an option's or argument's help) is a key of
# the word catalogue, put into one language when the page is drawn, never at import: the language
# is known only once ``--lang`` is parsed.  ``--lang`` is eager, so ``--lang en … --help`` is English.

#: Where ``--lang`` leaves the language for help pages (a command's contexts share one ``meta``).
HELP_LANGUAGE = "geo_welfare.help_language"
#: click's own section headings → catalogue keys.
HEADINGS = {"Options": "help_heading_options", "Commands": "help_heading_commands",
            "Positional arguments": "help_heading_arguments"}


def remember_language(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--lang``'s callback: the language of any help page asked for after it."""
    ctx.meta[HELP_LANGUAGE] = settings.language(value)
    return value


def help_language(ctx: click.Context | None = None) -> str:
    """A help page's language: ``--lang`` when it came before ``--help``, else the configured language."""
    ctx = ctx or click.get_current_context(silent=True)
    return (ctx.meta.get(HELP_LANGUAGE) if ctx is not None else None) or settings.language()


def help_text(key: str | None, ctx: click.Context | None = None, **values: object) -> str:
    """The catalogue text of a help key in the page's language ('' for none)."""
    return t(key, help_language(ctx), **values) if key else ""


def _columns(text: str) -> int:
    """How many terminal columns ``text`` takes (kana and kanji take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: One unit a line may break after: a word of narrow characters, or one wide character with the
#: brackets and punctuation that must stay on its line (no line starts with a closing bracket, a
#: comma or full stop, the middle dot or the long-vowel mark; none ends with an opening bracket).
_WIDE = r"\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60"
_OPENING = r"\uff08\u300c\u300e\u3010\u3014("
_CLOSING = r"\uff09\u300d\u300f\u3011\u3015\u3001\u3002\uff0c\uff0e\u30fb\u30fc:;,.)"
_BREAKABLE = re.compile(rf"\s+|[{_OPENING}]*[{_WIDE}][{_CLOSING}]*|[^\s{_WIDE}]+")


def _wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns.

    click wraps at spaces and counts characters, so a Japanese sentence (no spaces, two columns
    a character) runs past the terminal's edge; this breaks between wide characters too.
    """
    lines, line = [], ""
    for piece in _BREAKABLE.findall(text):
        if piece.isspace():
            piece = piece.replace("\n", " ")
            if not line:
                continue
        if line and _columns(line + piece) > columns:
            lines.append(line.rstrip())
            line = "" if piece.isspace() else piece
        else:
            line += piece
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _clip(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` terminal columns, with an ellipsis when cut."""
    if _columns(text) <= columns:
        return text
    kept = ""
    for ch in text:
        if _columns(kept + ch) > columns - 1:
            break
        kept += ch
    return kept.rstrip() + "…"


class HelpFormatter(click.HelpFormatter):
    """click's formatter with the usage prefix and the section headings in the page's language."""

    def __init__(self, lang: str, **attributes: Any):
        super().__init__(**attributes)
        self.lang = lang

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, t("help_usage", self.lang) + " " if prefix is None else prefix)

    def section(self, name: str):  # click's headings arrive in English
        return super().section(t(HEADINGS[name], self.lang) if name in HEADINGS else name)

    def write_text(self, text: str) -> None:
        """Paragraphs wrapped by terminal columns; a paragraph starting with ``\\b`` is kept as written."""
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 11)
        paragraphs = []
        for paragraph in text.split("\n\n"):
            kept = paragraph.startswith("\b\n")
            lines = paragraph[2:].splitlines() if kept else _wrap(" ".join(paragraph.split()), width)
            paragraphs.append("\n".join(indent + line for line in lines))
        self.write("\n\n".join(paragraphs) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        """click's two columns (names, help), the help wrapped by terminal columns."""
        rows = list(rows)
        first_column = min(max((_columns(first) for first, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        hanging = " " * (first_column + self.current_indent)
        for first, second in rows:
            self.write(indent + first)
            if not second:
                self.write("\n")
                continue
            if _columns(first) <= first_column - col_spacing:
                self.write(" " * (first_column - _columns(first)))
            else:
                self.write("\n" + hanging)
            lines = _wrap(second, max(self.width - first_column - 2, 10))
            self.write(lines[0] + "\n" + "".join(hanging + line + "\n" for line in lines[1:]))


class HelpContext(click.Context):
    """A click context whose help pages are drawn by :class:`HelpFormatter`."""

    def make_formatter(self) -> click.HelpFormatter:
        return HelpFormatter(help_language(self), width=self.terminal_width, max_width=self.max_content_width)


class Option(click.Option):
    """An option whose ``help`` is a catalogue key, filled in with ``help_values`` when shown.

    click's own notes (default, range, required) follow in the same language.
    """

    def __init__(self, *declarations: Any, help_values: Mapping[str, object] | None = None, **attributes: Any):
        super().__init__(*declarations, **attributes)
        self.help_values = dict(help_values or {})

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        lang = help_language(ctx)
        text = help_text(self.help, ctx, **self.help_values)
        extra = self.get_help_extra(ctx)
        notes = [t("help_envvar", lang, var=", ".join(extra["envvars"]))] if "envvars" in extra else []
        if "default" in extra:
            notes.append(t("help_default", lang, default=extra["default"]))
        if "range" in extra:
            notes.append(extra["range"])
        if "required" in extra:
            notes.append(t("help_required", lang))
        if notes:
            text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
        return self.get_help_spec(ctx), text


class Argument(click.Argument):
    """An argument whose ``help`` is a catalogue key (kept here too: older click has no argument help)."""

    def __init__(self, declarations: Sequence[str], required: bool | None = None, help: str | None = None,
                 **attributes: Any):
        super().__init__(declarations, required=required, **attributes)
        self.help = help

    def get_help_record(self, ctx: click.Context) -> tuple[str, str]:
        return self.make_metavar(ctx), help_text(self.help, ctx)


def option(*declarations: str, **attributes: Any) -> Callable:
    """``click.option`` whose ``help`` is a catalogue key."""
    return click.option(*declarations, cls=Option, **attributes)


def argument(*declarations: str, **attributes: Any) -> Callable:
    """``click.argument`` whose ``help`` is a catalogue key."""
    return click.argument(*declarations, cls=Argument, **attributes)


class CatalogueHelp:
    """A command's ``help``, ``short_help`` and ``epilog`` are catalogue keys; the page is drawn here.

    The description is the help text (its first paragraph is the line in the group's command list);
    the epilog is shown as written (examples, a list of formats), so it keeps its line breaks.
    """

    context_class = HelpContext

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.format_usage(ctx, formatter)
        self.format_help_text(ctx, formatter)
        self.format_arguments(ctx, formatter)
        self.format_options(ctx, formatter)
        self.format_epilog(ctx, formatter)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = help_text(self.help, ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The arguments' descriptions, when any argument has one."""
        arguments = [param for param in self.get_params(ctx) if isinstance(param, click.Argument)]
        if any(getattr(param, "help", None) for param in arguments):
            with formatter.section("Positional arguments"):
                formatter.write_dl([param.get_help_record(ctx) for param in arguments])

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options (click's --help in the page's language too), then a group's commands."""
        help_option = self.get_help_option(ctx)
        rows = []
        for param in self.get_params(ctx):
            record = None if isinstance(param, click.Argument) else param.get_help_record(ctx)
            if record is not None and param is help_option:
                record = (record[0], help_text("help_option_help", ctx))
            if record is not None:
                rows.append(record)
        if rows:
            with formatter.section("Options"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = help_text(self.epilog, ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():  # "\b": click keeps the paragraph's lines as they are
                formatter.write_text("\n\n".join("\b\n" + part for part in text.split("\n\n")))

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first paragraph of the help, cut to ``limit`` terminal columns."""
        text = help_text(self.short_help or self.help).split("\n\n")[0]
        return _clip(" ".join(text.split()), limit)


class Command(CatalogueHelp, click.Command):
    """A ``geo-welfare`` command (help from the catalogue)."""


class Group(CatalogueHelp, click.Group):
    """A command group (help from the catalogue) that turns our errors into one-line messages and exit codes.

    Its commands and subgroups are :class:`Command` and :class:`Group` too.
    """

    command_class = Command
    group_class = type

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GeoWelfareError as error:
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            _fail(error, lang)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if settings.debug():
                raise
            lang = ctx.obj.lang if isinstance(ctx.obj, Context) else settings.language()
            click.echo(t("internal_error", lang, error=f"{type(error).__name__}: {error}"), err=True)
            sys.exit(EXIT_INTERNAL)


def option_group(options: list):
    """One decorator that adds ``options`` to a command, in the order listed (click applies bottom-up)."""
    def apply(function):
        for decorator in reversed(options):
            function = decorator(function)
        return function
    return apply


def resolve_kinds(kinds: tuple[str, ...]) -> list[str] | None:
    """The resource kinds ``--kind`` names (identifiers, labels or aliases); None when none is named."""
    resolved = []
    for kind in kinds:
        identifier = glossary.resource_kind(kind)
        if identifier is None:
            raise UsageError("cli_unknown_kind", field="--kind", kind=kind, kinds=glossary.KIND_CHOICES)
        resolved.append(identifier)
    return resolved or None


def resolve_consultation_field(word: str) -> str:
    """The consultation field ``--consults`` names (障がい, disability, 障害者 …), or a usage error listing them."""
    from geo_welfare.core import consultation_fields as consultation
    identifier = consultation.consultation_field(word)
    if identifier is None:
        raise UsageError("cli_unknown_consultation_field", field="--consults", found=word,
                         fields="、".join(term.ja for term in glossary.CONSULTATION_FIELDS))
    return identifier
