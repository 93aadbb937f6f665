"""Districts' own attributes (CSW配置, 協議体, モデル地区) from an office's table, and reading them back.

The table is the one an office keeps in a spreadsheet: one row per district, its code in a code
column, one column per attribute (the header is the attribute's name, as the office wrote it).
Every code must be a stored district of the unit, or nothing is written: a code typed wrong would
otherwise leave a district without its attributes and nobody would notice.  Importing the same file
again for the same unit replaces its rows, in one transaction.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from geo_welfare.core.errors import InputError, Problem
from geo_welfare.io.readers import ROW, find_column, read_table
from geo_welfare.layers.columns import DISTRICT_ATTRIBUTE_COLUMNS
from geo_welfare.store.models import AreaUnit, DistrictAttribute

#: Headers a district's code goes by in an office's table (the first one present is used), and those of
#: its name: read past (the store has the name), never taken as an attribute.
CODE_COLUMNS = DISTRICT_ATTRIBUTE_COLUMNS["code"]
NAME_COLUMNS = DISTRICT_ATTRIBUTE_COLUMNS["name"]


def read_attribute_table(path: Path, stored_codes: set[str], *, encoding: str | None = None) -> pd.DataFrame:
    """The (code, key, value) rows of the table at ``path``, checked against the stored codes.

    Raises
    ------
    InputError
        No code column, no attribute column, a row without a code, or a code no district of the
        unit has (each problem naming the file, the row and the field).
    """
    table = read_table(path, encoding=encoding, header_names=CODE_COLUMNS)
    code_column = find_column(table.columns, CODE_COLUMNS)
    if code_column is None:
        raise InputError.single(path, "district_attributes_no_code_column", columns=", ".join(CODE_COLUMNS))
    name_column = find_column(table.columns, NAME_COLUMNS)
    keys = [c for c in table.columns if c not in (code_column, name_column, ROW)]
    if not keys:
        raise InputError.single(path, "district_attributes_no_columns")
    problems, rows = [], []
    for record in table.to_dict("records"):
        code = str(record[code_column]).strip()
        if not code:
            problems.append(Problem(str(path), int(record[ROW]), code_column, "district_attributes_no_code"))
            continue
        if code not in stored_codes:
            problems.append(Problem(str(path), int(record[ROW]), code_column, "district_attributes_unknown_code",
                                    {"code": code}, found=code))
            continue
        rows += [{"code": code, "key": key, "value": str(record[key]).strip()} for key in keys
                 if str(record[key]).strip()]
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=["code", "key", "value"])


def import_district_attributes(engine: Engine, path: Path, unit: str, *, encoding: str | None = None) -> int:
    """Read, check and store the attribute table at ``path`` for the districts of ``unit``; rows written."""
    path = Path(path)
    with engine.connect() as connection:
        stored = set(connection.execute(select(AreaUnit.code).where(AreaUnit.unit == unit)).scalars())
    if not stored:
        raise InputError.single(path, "district_attributes_no_districts", unit=unit)
    rows = read_attribute_table(path, stored, encoding=encoding)
    with engine.begin() as connection:
        connection.execute(delete(DistrictAttribute).where(DistrictAttribute.unit == unit,
                                                           DistrictAttribute.source == path.name))
        if len(rows):
            connection.execute(insert(DistrictAttribute), [{**row, "unit": unit, "source": path.name}
                                                           for row in rows.to_dict("records")])
    return len(rows)


def read_district_attributes(engine: Engine, unit: str, code: str | None = None) -> pd.DataFrame:
    """The stored attributes of ``unit``'s districts (of one, with ``code``), in import order."""
    statement = (select(DistrictAttribute.code, DistrictAttribute.key, DistrictAttribute.value,
                        DistrictAttribute.source).where(DistrictAttribute.unit == unit)
                 .order_by(DistrictAttribute.id))
    if code is not None:
        statement = statement.where(DistrictAttribute.code == code)
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).mappings().all(), columns=["code", "key", "value", "source"])
