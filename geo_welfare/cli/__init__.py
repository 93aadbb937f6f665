"""The ``geo-welfare`` command: one module per command group, put together here.

The command modules depend only on :mod:`geo_welfare.cli.base` (the context and errors),
:mod:`geo_welfare.cli.options` (every shared option, declared once) and the library; this module
adds each to the root group, so no command module imports another.
"""

from __future__ import annotations

from geo_welfare.cli.analysis import aging, capacity, coverage, gaps, network, plan, service_areas_command
from geo_welfare.cli.batch import batch_group
from geo_welfare.cli.desks import desks_command
from geo_welfare.cli.folder import import_folder_command
from geo_welfare.cli.geocoding import geocode, import_gazetteer
from geo_welfare.cli.importing import import_group
from geo_welfare.cli.listing import export, list_command
from geo_welfare.cli.maps import map_group
from geo_welfare.cli.nearest import nearest
from geo_welfare.cli.report import import_district_attributes_command, report_group
from geo_welfare.cli.root import main
from geo_welfare.cli.serve import demo, serve
from geo_welfare.cli.users import user_group
from geo_welfare.cli.which import link_group, which

for command in (import_group, list_command, nearest, export, serve, demo, coverage, gaps, service_areas_command,
                aging, capacity, plan, network, map_group, user_group, batch_group):
    main.add_command(command)
main.add_command(geocode)
main.add_command(which)
main.add_command(link_group)
import_group.add_command(import_gazetteer)
import_group.add_command(import_folder_command)
main.add_command(report_group), import_group.add_command(import_district_attributes_command)
report_group.add_command(desks_command)

__all__ = ["main"]
