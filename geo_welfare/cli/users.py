"""``geo-welfare user``: who may sign in to the web app, as an editor (changes places) or a viewer (reads).

The password is asked for twice and never echoed or taken from the command line (where other
users of the machine could read it); the store keeps only its scrypt hash.  A new password
(``user password``) and ``user remove`` end every web session of that user at once.
"""

from __future__ import annotations

import sys

import click

from geo_welfare.cli.base import CONTEXT, EXIT_INPUT, Context, Group, argument, option
from geo_welfare.core.words import t
from geo_welfare.store.editing import EditError, NotFound
from geo_welfare.store.users import ROLES, add_user, find_user, list_users, remove_user, set_password


@click.group("user", cls=Group, context_settings=CONTEXT, help="help_cmd_user")
def user_group() -> None:
    """Who may sign in to the web app, and whether they may change places."""


@user_group.command("add", context_settings=CONTEXT, help="help_cmd_user_add")
@argument("name", help="help_arg_user_name")
@option("--role", type=click.Choice(ROLES), required=True, help="help_opt_role")
@click.pass_obj
def add_command(obj: Context, name: str, role: str) -> None:
    """Add a user; the password is prompted for twice, never taken from the command line."""
    engine = obj.engine()
    if find_user(engine, name) is not None:  # before asking for a password that would be thrown away
        obj.say("user_taken", name=name)
        sys.exit(EXIT_INPUT)
    password = _ask_password(obj)
    try:
        add_user(engine, name, password, role)
    except EditError as error:
        click.echo(error.message(obj.lang), err=True)
        sys.exit(EXIT_INPUT)
    obj.say("user_added", name=name, role=role)


def _ask_password(obj: Context) -> str:
    """The password, typed twice without echo (from standard input when it is not a terminal)."""
    return click.prompt(t("user_password", obj.lang), hide_input=True,
                        confirmation_prompt=t("user_password_again", obj.lang), err=True)


@user_group.command("password", context_settings=CONTEXT, help="help_cmd_user_password")
@argument("name", help="help_arg_user_name")
@click.pass_obj
def password_command(obj: Context, name: str) -> None:
    """Give a user a new password (prompted for twice); every session they have ends."""
    engine = obj.engine()
    if find_user(engine, name) is None:  # before asking for a password that would be thrown away
        obj.say("user_missing", name=name)
        sys.exit(EXIT_INPUT)
    try:
        set_password(engine, name, _ask_password(obj))
    except EditError as error:
        click.echo(error.message(obj.lang), err=True)
        sys.exit(EXIT_INPUT)
    except NotFound:  # removed while the password was being typed
        obj.say("user_missing", name=name)
        sys.exit(EXIT_INPUT)
    obj.say("user_password_changed", name=name)


@user_group.command("list", context_settings=CONTEXT, help="help_cmd_user_list")
@click.pass_obj
def list_command(obj: Context) -> None:
    """List users, tab-separated: name, role, created (UTC)."""
    users = list_users(obj.engine())
    if not users:
        obj.say("user_none")
    for user in users:
        click.echo(f"{user['username']}\t{user['role']}\t{user['created_at']:%Y-%m-%d %H:%M:%S}")


@user_group.command("remove", context_settings=CONTEXT, help="help_cmd_user_remove")
@argument("name", help="help_arg_user_name")
@click.pass_obj
def remove_command(obj: Context, name: str) -> None:
    """Remove a user and end their sessions; the history of their changes stays."""
    try:
        remove_user(obj.engine(), name)
    except NotFound:
        obj.say("user_missing", name=name)
        sys.exit(EXIT_INPUT)
    obj.say("user_removed", name=name)
