"""Zip archives as the publishers hand them out (e-Stat, 国土数値情報, 位置参照情報), unpacked to read their files.

Archives made on Windows store member names in CP932 without the UTF-8 flag, which :mod:`zipfile`
reads as CP437 (``h27ka01101.shp`` survives, ``札幌市.csv`` would not); such names are decoded again.
An archive that would unpack to more than :data:`ARCHIVE_LIMIT` bytes is refused, not unpacked.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from geo_welfare.core.errors import InputError

#: The most an archive may unpack to.
ARCHIVE_LIMIT = 4 * 1024 ** 3
#: The zip flag that says a member's name is UTF-8.
UTF8_NAME_FLAG = 0x800


def unpack(archive: Path, target: Path) -> list[Path]:
    """Unpack ``archive`` into ``target``; its files, sorted (``zipfile`` keeps every member inside ``target``)."""
    with zipfile.ZipFile(archive) as handle:
        members = handle.infolist()
        size = sum(member.file_size for member in members)
        if size > ARCHIVE_LIMIT:
            raise InputError.single(archive, "folder_archive_too_large", file=archive.name, size=size)
        for member in members:
            if not member.flag_bits & UTF8_NAME_FLAG:
                try:
                    member.filename = member.filename.encode("cp437").decode("cp932")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
            handle.extract(member, target)
    return sorted(path for path in target.rglob("*") if path.is_file())
