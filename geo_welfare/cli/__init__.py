"""The ``geo-welfare`` command: one module per command group, put together here.

The command modules depend only on :mod:`geo_welfare.cli.base` (the context and errors),
:mod:`geo_welfare.cli.options` (every shared option, declared once) and the library; this module
names each command of the root group and the module it lives in, so no command module imports
another.  A command's module is imported only when that command is run or its help is drawn
(:class:`~geo_welfare.cli.lazy.LazyCommands`): ``geo-welfare map district`` does not pay for the
import commands' GeoPandas or the users' password hashing.  ``--help`` lists every command, sorted
by name, as click always has.
"""

from __future__ import annotations

from geo_welfare.cli.lazy import LazyCommands
from geo_welfare.cli.root import main

#: The root group's commands (besides ``init``, declared with it): name → ``module:attribute``.
COMMANDS = {
    "import": "geo_welfare.cli.importing:import_group",
    "list": "geo_welfare.cli.listing:list_command",
    "nearest": "geo_welfare.cli.nearest:nearest",
    "export": "geo_welfare.cli.listing:export",
    "serve": "geo_welfare.cli.serve:serve",
    "demo": "geo_welfare.cli.serve:demo",
    "coverage": "geo_welfare.cli.analysis:coverage",
    "gaps": "geo_welfare.cli.analysis:gaps",
    "service-areas": "geo_welfare.cli.analysis:service_areas_command",
    "aging": "geo_welfare.cli.analysis:aging",
    "capacity": "geo_welfare.cli.analysis:capacity",
    "plan": "geo_welfare.cli.analysis:plan",
    "network": "geo_welfare.cli.analysis:network",
    "map": "geo_welfare.cli.maps:map_group",
    "user": "geo_welfare.cli.users:user_group",
    "batch": "geo_welfare.cli.batch:batch_group",
    "geocode": "geo_welfare.cli.geocoding:geocode",
    "which": "geo_welfare.cli.which:which",
    "link": "geo_welfare.cli.which:link_group",
    "report": "geo_welfare.cli.report:report_group",
    "hazard": "geo_welfare.cli.hazards:hazard_command",  # issue 14: hazards
    "transit-gaps": "geo_welfare.cli.transit:transit_gaps_command",
}

#: Commands that live in another module than their group's: group → name → ``module:attribute``.
GROUP_COMMANDS = {
    "import": {
        "gazetteer": "geo_welfare.cli.geocoding:import_gazetteer",
        "folder": "geo_welfare.cli.folder:import_folder_command",
        "district-attributes": "geo_welfare.cli.report:import_district_attributes_command",
        "hazards": "geo_welfare.cli.hazards:import_hazards_command",  # issue 14: hazards
        "stops": "geo_welfare.cli.transit:import_stops_command",
        "service-areas": "geo_welfare.cli.transit:import_service_areas_command",
    },
    "report": {"desks": "geo_welfare.cli.desks:desks_command"},
}

main.commands = LazyCommands(main.commands, COMMANDS, GROUP_COMMANDS)

__all__ = ["main"]
