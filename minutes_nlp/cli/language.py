"""The command line in one language: help, prompts and click's own messages go through minutes_nlp's catalogs.

Help texts are written in English and marked with ``N_``; the click classes
here keep them as written and translate them when help is shown, so
``minutes-nlp --lang en analyze --help`` and the default Vietnamese share one
set of commands. click marks its own messages ("Usage:", "Error: …") for
gettext with its module-level ``_``; :func:`use_catalogs` points those at our
catalogs, which hold the click messages listed below.
"""

from __future__ import annotations

import functools
import gettext
import sys

import click

from minutes_nlp import i18n
from minutes_nlp.i18n import N_, _

# click's messages a user of minutes-nlp meets (their exact text in click; tests check they still exist there).
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"),
    N_("default: {default}"),
    N_("required"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("No such option {name!r}."),
    N_("Did you mean {possibility}?"),
    N_("(Did you mean one of: {possibilities}?)"),
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Option {name!r} requires an argument."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not {choice}."),
    N_("{value!r} is not one of {choices}."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("Repeat for confirmation"),
    N_("Error: The two entered values do not match."),
    N_("Aborted!"),
)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    """click's plural messages, each form a message of its own (Vietnamese has one form)."""
    return _(singular if n == 1 else plural)


def use_catalogs() -> None:
    """Make click's messages go through minutes_nlp's catalogs (click binds gettext per module)."""
    for name, module in list(sys.modules.items()):
        if name == "click" or name.startswith("click."):
            if getattr(module, "_", None) is gettext.gettext:
                module._ = _
            if getattr(module, "ngettext", None) is gettext.ngettext:
                module.ngettext = _click_ngettext


class _TranslatedHelp:
    """help kept as written (an English message) and given out translated."""

    @property
    def help(self) -> str | None:
        return _(self._help) if self._help else self._help

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value


class Option(_TranslatedHelp, click.Option):
    """An option whose help and prompt follow the language."""

    @property
    def prompt(self) -> str | None:
        return _(self._prompt) if self._prompt else self._prompt

    @prompt.setter
    def prompt(self, value: str | None) -> None:
        self._prompt = value


class Command(_TranslatedHelp, click.Command):
    """A command whose help follows the language."""


class Group(_TranslatedHelp, click.Group):
    """A group whose help, and its commands' (made with ``@group.command()``), follow the language."""

    command_class = Command
    group_class = type  # subgroups are of this class too


option = functools.partial(click.option, cls=Option)


def _asked(args: list[str]) -> str | None:
    """The value of --lang in args, when it names a language (click reports a bad one)."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return i18n.language_from(args[i + 1])
        if arg.startswith("--lang="):
            return i18n.language_from(arg.partition("=")[2])
    return None


class Main(Group):
    """The top command: chooses the language before anything is parsed, so help and errors use it."""

    def main(self, args=None, *rest, **kwargs):
        i18n.set_language(_asked(list(sys.argv[1:] if args is None else args)))
        return super().main(args, *rest, **kwargs)


def _set_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        i18n.set_language(value)


lang_option = option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_set_language,
    help=N_(
        "Language of messages, help and reports: vi (the default) or en [env MINUTES_NLP_LANG; "
        "English also when the locale (LC_ALL, LC_MESSAGES, LANG) starts with en]."
    ),
)
