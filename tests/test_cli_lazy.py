"""The ``geo-welfare`` command loads a command's module only when that command is used (issue 12).

The root group names its commands without importing them (:mod:`geo_welfare.cli.lazy`): ``--help``
still lists every command, with the same short help as the command's own, and a command's module,
with its heavy imports, is imported only when that command is run or its help is drawn.  The
heavy libraries' absence is checked in a fresh Python process, where nothing else imported them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import click
import pytest

from geo_welfare.cli.base import HELP_LANGUAGE
from geo_welfare.cli.lazy import LazyCommands
from helpers import run_cli

#: Every command of the root group, as ``geo-welfare --help`` has listed them (click sorts them by
#: name): written out by hand from the command modules, not read from the table under test.
ROOT_COMMANDS = ["aging", "batch", "capacity", "coverage", "demo", "export", "gaps", "geocode", "hazard", "import",
                 "init", "link", "list", "map", "nearest", "network", "plan", "report", "serve", "service-areas",
                 "transit-gaps", "user", "which"]
#: The import group's commands, its own and those other modules add to it (gazetteer … service-areas).
IMPORT_COMMANDS = ["areas", "candidates", "district-attributes", "folder", "gazetteer", "hazards", "population",
                   "resources", "service-areas", "stops"]
#: Each command object where it is declared, to compare the listing's help lines with.
DECLARED = {"aging": "analysis:aging", "batch": "batch:batch_group", "capacity": "analysis:capacity",
            "coverage": "analysis:coverage", "demo": "serve:demo", "export": "listing:export", "gaps": "analysis:gaps",
            "geocode": "geocoding:geocode", "hazard": "hazards:hazard_command", "import": "importing:import_group",
            "init": "root:init", "link": "which:link_group", "list": "listing:list_command", "map": "maps:map_group",
            "nearest": "nearest:nearest", "network": "analysis:network", "plan": "analysis:plan",
            "report": "report:report_group", "serve": "serve:serve", "service-areas": "analysis:service_areas_command",
            "transit-gaps": "transit:transit_gaps_command", "user": "users:user_group", "which": "which:which"}

#: Libraries a map's help page has no use for (the import commands', the analyses', the drawing's).
HEAVY = ("geopandas", "pandas", "sqlalchemy", "matplotlib", "numba", "scipy", "passlib", "argon2", "bcrypt",
         "geo_welfare.cli.importing", "geo_welfare.cli.users", "geo_welfare.cli.analysis")


def _listed(output: str, heading: str = "Commands:") -> list[str]:
    """The names of a help page's command list (the first word of each line under the heading)."""
    lines = output.split(heading, 1)[1].split("\n\n", 1)[0].splitlines()
    return [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]


def _fresh_python(code: str) -> dict:
    """Run ``code`` in a new interpreter and return the JSON it prints last."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_help_lists_every_command_with_its_own_help_line(tmp_path):
    from importlib import import_module

    result = run_cli(f"sqlite:///{tmp_path / 'store.sqlite'}", "--help")
    assert result.exit_code == 0, result.output
    assert _listed(result.output) == ROOT_COMMANDS
    for name, target in DECLARED.items():  # each line as the command itself gives it
        module, attribute = target.split(":")
        command = getattr(import_module(f"geo_welfare.cli.{module}"), attribute)
        line = next(line for line in result.output.splitlines() if line.split()[:1] == [name])
        context = click.Context(command)
        context.meta[HELP_LANGUAGE] = "en"
        with context:
            whole = command.get_short_help_str(1000)  # the first paragraph of its help, uncut
        listed = line.split(None, 1)[1].strip()
        assert len(listed) > 10 and whole.startswith(listed.removesuffix("…").rstrip()), name


def test_the_import_group_lists_the_commands_other_modules_add(tmp_path):
    result = run_cli(f"sqlite:///{tmp_path / 'store.sqlite'}", "import", "--help")
    assert result.exit_code == 0, result.output
    assert _listed(result.output) == IMPORT_COMMANDS


def test_an_unknown_command_is_still_refused_with_the_nearest_name(tmp_path):
    result = run_cli(f"sqlite:///{tmp_path / 'store.sqlite'}", "mapp")
    assert result.exit_code == 2
    assert "No such command 'mapp'" in result.output and "Did you mean 'map'?" in result.output
    result = run_cli(f"sqlite:///{tmp_path / 'store.sqlite'}", "import", "gazeteer")
    assert result.exit_code == 2 and "Did you mean 'gazetteer'?" in result.output


def test_a_maps_help_imports_none_of_the_other_commands_nor_the_drawing():
    loaded = _fresh_python("""
        import json, sys
        from geo_welfare.cli import main
        started = set(sys.modules)
        try:
            main(["--lang", "en", "map", "district", "--help"])
        except SystemExit as stop:
            assert stop.code == 0
        print(json.dumps({"at_start": sorted(started), "after": sorted(sys.modules)}))
    """)
    for name in HEAVY:
        assert name not in loaded["after"], name
    assert "geo_welfare.cli.maps" not in loaded["at_start"] and "geo_welfare.cli.maps" in loaded["after"]


def test_running_an_import_command_does_not_load_the_commands_added_beside_it():
    loaded = _fresh_python("""
        import json, sys
        from geo_welfare.cli import main
        try:
            main(["--lang", "en", "import", "areas", "--help"])
        except SystemExit as stop:
            assert stop.code == 0
        print(json.dumps(sorted(sys.modules)))
    """)
    assert "geo_welfare.cli.importing" in loaded
    for name in ("geo_welfare.cli.geocoding", "geo_welfare.cli.folder", "geo_welfare.cli.report",
                 "geo_welfare.cli.hazards", "geo_welfare.cli.transit", "geo_welfare.cli.maps"):
        assert name not in loaded, name


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A module of two click commands that counts how often it is imported (a file of this test's own)."""
    (tmp_path / "lazy_probe.py").write_text(textwrap.dedent("""
        import click
        import builtins
        builtins.lazy_probe_imports = getattr(builtins, "lazy_probe_imports", 0) + 1

        @click.command("first")
        def first():
            click.echo("first ran")

        @click.group("second")
        def second():
            pass

        @click.command("inner")
        def inner():
            click.echo("inner ran")
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_probe", raising=False)
    import builtins
    monkeypatch.setattr(builtins, "lazy_probe_imports", 0, raising=False)
    return builtins


def test_lazy_commands_import_on_first_use_only(probe_module):
    from click.testing import CliRunner

    @click.group()
    def root():
        pass

    @root.command("own")
    def own():
        click.echo("own ran")

    root.commands = LazyCommands(root.commands, {"first": "lazy_probe:first", "second": "lazy_probe:second"},
                                 {"second": {"inner": "lazy_probe:inner"}})
    assert list(root.commands) == ["own", "first", "second"] and len(root.commands) == 3
    assert "first" in root.commands and "third" not in root.commands
    assert root.list_commands(None) == ["first", "own", "second"]  # click's sorted listing
    assert probe_module.lazy_probe_imports == 0 and "lazy_probe" not in sys.modules
    assert CliRunner().invoke(root, ["own"]).output == "own ran\n"
    assert probe_module.lazy_probe_imports == 0
    assert CliRunner().invoke(root, ["first"]).output == "first ran\n"
    assert CliRunner().invoke(root, ["second", "inner"]).output == "inner ran\n"
    assert probe_module.lazy_probe_imports == 1  # once, for both
    assert list(root.commands["second"].commands) == ["inner"]
    del root.commands["first"]
    assert list(root.commands) == ["own", "second"] and root.get_command(None, "first") is None
