"""Add or change words in the catalogue (``geo_welfare/locale/*/LC_MESSAGES/geo_welfare.po``).

    python scripts/catalogue.py add KEY --ja "日本語の文" --en "English sentence" [--note "where it is used"]
    python scripts/catalogue.py set KEY --ja "…" [--en "…"]     # change an existing entry
    python scripts/catalogue.py rename OLD NEW                 # a key's new name (the code is yours to change)
    python scripts/catalogue.py remove KEY                     # a key no code uses any more
    python scripts/catalogue.py check                          # every key in every language, no blanks

Translators edit the ``.po`` files with their own tools; this script is for developers adding keys
from the command line.  Each write holds a lock and rewrites the files sorted by key, so several
people (or sessions) adding words at the same time lose none of them.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
from contextlib import contextmanager
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALE = Path(__file__).resolve().parent.parent / "geo_welfare" / "locale"
DOMAIN = "geo_welfare"


def po_file(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(path.name for path in LOCALE.iterdir() if po_file(path.name).exists())


@contextmanager
def locked():
    with open(LOCALE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(lang: str):
    with open(po_file(lang), "rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def _write(lang: str, catalog) -> None:
    with open(po_file(lang), "wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, include_lineno=False)


def change(key: str, texts: dict[str, str | None], note: str | None, *, must_exist: bool | None) -> None:
    """Write ``texts`` (language → text) for ``key``; ``must_exist`` True for set, False for add."""
    with locked():
        for lang in languages():
            catalog = _read(lang)
            present = key in catalog
            if must_exist is False and present:
                sys.exit(f"{key}: already in {po_file(lang).name} ({lang}); use 'set' to change it")
            if must_exist is True and not present:
                sys.exit(f"{key}: not in the catalogue ({lang}); use 'add'")
            text = texts.get(lang)
            if text is None:
                if not present:
                    sys.exit(f"{key}: give --{lang} (a new key needs every language)")
                continue
            comments = [note] if note else (catalog[key].auto_comments if present else [])
            if present:
                catalog[key].string = text
                catalog[key].auto_comments = comments
            else:
                catalog.add(key, text, auto_comments=comments)
            _write(lang, catalog)


def rename(old: str, new: str) -> None:
    """Give the entry ``old`` the key ``new`` in every language."""
    with locked():
        for lang in languages():
            catalog = _read(lang)
            if old not in catalog or new in catalog:
                sys.exit(f"{lang}: cannot rename {old} to {new} ({old} missing or {new} taken)")
            message = catalog[old]
            catalog.delete(old)
            catalog.add(new, message.string, auto_comments=message.auto_comments)
            _write(lang, catalog)


def remove(key: str) -> None:
    """Delete ``key`` from every language."""
    with locked():
        for lang in languages():
            catalog = _read(lang)
            if key not in catalog:
                sys.exit(f"{lang}: no key {key}")
            catalog.delete(key)
            _write(lang, catalog)


def check() -> int:
    """Every key in every language's file, none blank; prints what is wrong and returns 1 if anything is."""
    keys = {lang: {m.id: m.string for m in _read(lang) if m.id} for lang in languages()}
    everything = set().union(*keys.values())
    wrong = [f"{lang}: missing {key}" for lang, table in keys.items() for key in sorted(everything - set(table))]
    wrong += [f"{lang}: blank {key}" for lang, table in keys.items() for key, text in table.items() if not text]
    print("\n".join(wrong) or f"{len(everything)} keys in {', '.join(keys)}")
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("add", "set"):
        command = commands.add_parser(name)
        command.add_argument("key")
        command.add_argument("--ja", required=name == "add")
        command.add_argument("--en", required=name == "add")
        command.add_argument("--note")
    renaming = commands.add_parser("rename")
    renaming.add_argument("old")
    renaming.add_argument("new")
    commands.add_parser("remove").add_argument("key")
    commands.add_parser("check")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check()
    if args.command == "rename":
        rename(args.old, args.new)
        return 0
    if args.command == "remove":
        remove(args.key)
        return 0
    change(args.key, {"ja": args.ja, "en": args.en}, args.note, must_exist=args.command == "set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
