"""``geo-welfare user``: who may sign in to the web app, as an editor (changes places) or a viewer (reads).

The password is asked for twice and never echoed or taken from the command line (where other
users of the machine could read it); the store keeps only its scrypt hash.
"""

from __future__ import annotations

import sys

import click

from geo_welfare.cli import CONTEXT, EXIT_INPUT, Context, main
from geo_welfare.store.editing import ROLES, EditError, NotFound, add_user, find_user, list_users, remove_user

#: This command's words (ja, en).
WORDS: dict[str, tuple[str, str]] = {
    "password": ("パスワード", "Password"),
    "again": ("パスワード（確認）", "Password again"),
    "added": ("利用者を追加しました: {name}（{role}）", "Added {name} ({role})"),
    "removed": ("利用者を削除しました: {name}（変更履歴は残ります）", "Removed {name} (their history stays)"),
    "taken": ("この利用者名はすでにあります: {name}", "This user name is taken: {name}"),
    "no_user": ("その利用者はいません: {name}", "No such user: {name}"),
    "none": ("利用者はまだいません（geo-welfare user add 名前 --role editor）",
             "No users yet (geo-welfare user add NAME --role editor)"),
}


def _say(obj: Context, key: str, **values: object) -> None:
    ja, en = WORDS[key]
    click.echo((en if obj.lang == "en" else ja).format(**values), err=True)


@main.group("user", context_settings=CONTEXT)
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
        _say(obj, "taken", name=name)
        sys.exit(EXIT_INPUT)
    ja, en = WORDS["password"], WORDS["again"]
    password = click.prompt(ja[1] if obj.lang == "en" else ja[0], hide_input=True,
                            confirmation_prompt=en[1] if obj.lang == "en" else en[0], err=True)
    try:
        add_user(engine, name, password, role)
    except EditError as error:
        click.echo(error.message(obj.lang), err=True)
        sys.exit(EXIT_INPUT)
    _say(obj, "added", name=name, role=role)


@user_group.command("list", context_settings=CONTEXT)
@click.pass_obj
def list_command(obj: Context) -> None:
    """利用者の一覧（名前・役割・作成日時 UTC） / List users: name, role, created (UTC)."""
    users = list_users(obj.engine())
    if not users:
        _say(obj, "none")
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
        _say(obj, "no_user", name=name)
        sys.exit(EXIT_INPUT)
    _say(obj, "removed", name=name)
