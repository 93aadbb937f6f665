"""``geo-welfare user``: who may sign in to the web app, as an editor (changes places) or a viewer (reads).

The password is asked for twice and never echoed or taken from the command line (where other
users of the machine could read it); the store keeps only its scrypt hash.
"""

from __future__ import annotations

import sys

import click

from geo_welfare.cli.base import CONTEXT, EXIT_INPUT, Context
from geo_welfare.core.words import t
from geo_welfare.store.editing import ROLES, EditError, NotFound, add_user, find_user, list_users, remove_user

@click.group("user", context_settings=CONTEXT)
def user_group() -> None:
    """Web の利用者（編集者・閲覧者） / Web users (editors and viewers)."""


@user_group.command("add", context_settings=CONTEXT)
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="editor（資源を編集できる）または viewer（閲覧のみ） / editor (edits places) or viewer (reads)")
@click.pass_obj
def add_command(obj: Context, name: str, role: str) -> None:
    """利用者を追加する（パスワードは2回入力） / Add a user (the password is asked for twice)."""
    engine = obj.engine()
    if find_user(engine, name) is not None:  # before asking for a password that would be thrown away
        obj.say("user_taken", name=name)
        sys.exit(EXIT_INPUT)
    password = click.prompt(t("user_password", obj.lang), hide_input=True,
                            confirmation_prompt=t("user_password_again", obj.lang), err=True)
    try:
        add_user(engine, name, password, role)
    except EditError as error:
        click.echo(error.message(obj.lang), err=True)
        sys.exit(EXIT_INPUT)
    obj.say("user_added", name=name, role=role)


@user_group.command("list", context_settings=CONTEXT)
@click.pass_obj
def list_command(obj: Context) -> None:
    """利用者の一覧（名前・役割・作成日時 UTC） / List users: name, role, created (UTC)."""
    users = list_users(obj.engine())
    if not users:
        obj.say("user_none")
    for user in users:
        click.echo(f"{user['username']}\t{user['role']}\t{user['created_at']:%Y-%m-%d %H:%M:%S}")


@user_group.command("remove", context_settings=CONTEXT)
@click.argument("name")
@click.pass_obj
def remove_command(obj: Context, name: str) -> None:
    """利用者を削除する（その人の変更履歴は残る） / Remove a user (their history stays)."""
    try:
        remove_user(obj.engine(), name)
    except NotFound:
        obj.say("user_missing", name=name)
        sys.exit(EXIT_INPUT)
    obj.say("user_removed", name=name)
