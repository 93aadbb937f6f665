"""click's own sentences (its errors and prompts) in the user's language, from the one catalogue.

click writes its messages in English through :mod:`gettext` (``_("Invalid value for {param_hint}:
{message}")``) and formats them afterwards.  A Japanese user would otherwise read 「Error: Invalid
value for '--unit': …」 under a Japanese command, so each click module's ``_`` and ``ngettext`` are
replaced, once, by functions that look the English text up here and answer the catalogue's words for
it, with the same ``{placeholders}`` for click to fill.  A sentence this table does not know (a new
click release) stays English rather than disappearing.  Type names (``file``, ``integer``) are not
here: click reads them once, when an option is declared, before anyone has chosen a language.

The language is the command's (``--lang``, ``GEO_WELFARE_LANG``): :func:`speak` records it when the
root command starts, because click prints an error after its context has closed.
"""

from __future__ import annotations

import importlib

from geo_welfare.core import config as settings
from geo_welfare.core.words import word

#: click's English message → the catalogue key of the same sentence (placeholders kept).
CLICK_MESSAGES: dict[str, str] = {
    "Error: {message}": "click_error",
    "Invalid value for {param_hint}: {message}": "click_invalid_value_for",
    "Invalid value: {message}": "click_invalid_value",
    "Try '{command} {option}' for help.": "click_try_help",
    "No such option {name!r}.": "click_no_such_option",
    "No such option: {name}": "click_no_such_option_plain",
    "No such command {name!r}.": "click_no_such_command",
    "Missing command.": "click_missing_command",
    "Missing argument": "click_missing_argument",
    "Missing option": "click_missing_option",
    "Missing parameter": "click_missing_parameter",
    "Missing {param_type}": "click_missing_param_type",
    "Missing parameter: {param_name}": "click_missing_parameter_named",
    "Option {name!r} does not take a value.": "click_option_takes_no_value",
    "Option {name!r} requires an argument.": "click_option_requires_argument",
    "Option {name!r} requires {nargs} arguments.": "click_option_requires_arguments",
    "Got unexpected extra argument ({args})": "click_extra_argument",
    "Got unexpected extra arguments ({args})": "click_extra_arguments",
    "Did you mean {possibility}?": "click_did_you_mean",
    "(Did you mean one of: {possibilities}?)": "click_did_you_mean_one_of",
    "{value!r} is not {choice}.": "click_not_choice",
    "{value!r} is not one of {choices}.": "click_not_one_of",
    "{value!r} is not a valid {number_type}.": "click_not_a_number",
    "{value} is not in the range {range}.": "click_not_in_range",
    "{value!r} does not match the format {format}.": "click_not_format",
    "{value!r} does not match the formats {formats}.": "click_not_formats",
    "{name} {filename!r} does not exist.": "click_file_missing",
    "{name} {filename!r} is a directory.": "click_file_is_folder",
    "{name} {filename!r} is a file.": "click_file_is_file",
    "{name} {filename!r} is not readable.": "click_file_not_readable",
    "{name} {filename!r} is not writable.": "click_file_not_writable",
    "Could not open file {filename!r}: {message}": "click_file_not_opened",
    "Error: The two entered values do not match.": "click_values_differ",
    "Repeat for confirmation": "click_repeat",
    "Aborted!": "click_aborted",
    "Error: invalid input": "click_invalid_input",
    "Takes {nargs} values but 1 was given.": "click_takes_values_one",
    "Takes {nargs} values but {len} were given.": "click_takes_values",
    "Argument {name!r} takes {nargs} values.": "click_argument_takes_values",
}

#: The click modules that say something to a user (each imported gettext's functions by name).
_MODULES = ("click.core", "click.exceptions", "click.parser", "click.types", "click.termui", "click.decorators",
            "click.formatting", "click.utils")

_spoken: list[str | None] = [None]


def speak(lang: str | None) -> None:
    """The language click's sentences are given in from now on (the command's own)."""
    _spoken[0] = lang


def _language() -> str:
    return _spoken[0] or settings.language()


def click_gettext(message: str) -> str:
    """click's ``_``: the catalogue's sentence for ``message`` in the command's language, else ``message``."""
    key = CLICK_MESSAGES.get(message)
    return word(key, _language()) if key else message


def click_ngettext(singular: str, plural: str, count: int) -> str:
    """click's ``ngettext``: the singular or plural sentence, each through :func:`click_gettext`."""
    return click_gettext(singular if count == 1 else plural)


def install() -> None:
    """Give every click module these two functions (harmless when called again)."""
    for name in _MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = click_gettext
        if hasattr(module, "ngettext"):
            module.ngettext = click_ngettext
