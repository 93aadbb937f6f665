"""The ``geo-welfare`` command: one module per command group, put together here.

The command modules depend only on :mod:`geo_welfare.cli.base` (the context and errors),
:mod:`geo_welfare.cli.options` (every shared option, declared once) and the library; this module
adds each to the root group, so no command module imports another.
"""

from __future__ import annotations

from geo_welfare.cli.analysis import aging, capacity, coverage, gaps, network, plan, service_areas_command
from geo_welfare.cli.batch import batch_group
from geo_welfare.cli.importing import import_group
from geo_welfare.cli.listing import export, list_command
from geo_welfare.cli.maps import map_group
from geo_welfare.cli.nearest import nearest
from geo_welfare.cli.root import main
from geo_welfare.cli.serve import demo, serve
from geo_welfare.cli.users import user_group

for command in (import_group, list_command, nearest, export, serve, demo, coverage, gaps, service_areas_command,
                aging, capacity, plan, network, map_group, user_group, batch_group):
    main.add_command(command)

__all__ = ["main"]
