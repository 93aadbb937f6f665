"""One language at a time (issue 13, item 7): the CLI in Japanese says nothing in English.

Every command's help, the main commands on the demo town, and click's own errors (a bad value, an
unknown option, a missing argument, an unknown command) run with ``--lang ja``; the test fails on
any English sentence in what they print: three or more ASCII words in a row, once option names,
quoted values, file paths and URLs are set aside (those are what the user typed or must type).
Japanese values are accepted where English ids are (``--unit 小学校区``).
"""

from __future__ import annotations

import re

import click
import pytest

from helpers import DEMO_DATA, DEMO_STREETS, run_cli

#: What is not a sentence: option names, quoted values, paths and URLs, environment variables, metavars.
_NOT_WORDS = re.compile(r"--?[\w-]+|'[^']*'|\"[^\"]*\"|\S*/\S*|https?://\S+|\b[A-Z_]{2,}(?:=\S*)?\b|\[[^\]]*\]")
_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ]+[A-Za-z]{2,}){2,}\b")


#: Lines that are commands, not sentences: the usage line and examples (``geo-welfare import …``).
_COMMAND_LINE = re.compile(r"^\s*(?:使い方:|geo-welfare\b|main\b)")


def english_sentences(text: str) -> list[str]:
    """The English sentences in ``text`` (see the module's docstring for what is set aside)."""
    return [match.group(0) for line in text.splitlines() if not _COMMAND_LINE.match(line)
            for match in _SENTENCE.finditer(_NOT_WORDS.sub(" ", line))]


def test_the_detector_finds_english_and_passes_japanese():
    assert english_sentences("Error: Invalid value for '--unit': '小学校区' is not one of …") == [
        "Error: Invalid value for"[7:], "is not one of"]
    assert english_sentences("エラー: '--unit' の値が正しくありません: '小学' は使えません。") == []
    assert english_sentences("道路網（OSM .osm/.pbf、道路中心線 GeoJSON/Shapefile）  [既定: 4.0; 0.5<=x<=8.0]") == []
    assert english_sentences("The two entered values do not match.") == ["The two entered values do not match"]
    assert english_sentences("使い方: geo-welfare import resources [OPTIONS] FILES...") == []


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_every_help_page_is_japanese(tmp_path):
    from geo_welfare.cli import main
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    pages = [()] + list(_commands(main))
    assert len(pages) > 20
    found = {}
    for path in pages:
        result = run_cli(url, *path, "--help", lang="ja")
        assert result.exit_code == 0, (path, result.output)
        english = english_sentences(result.output)
        if english:
            found[" ".join(path) or "geo-welfare"] = english
    assert found == {}


@pytest.mark.parametrize("arguments", [
    ("aging", "--unit", "小学"),                     # a value not among the choices
    ("nearest", "--at", "1"),                       # an option no command has
    ("nearest", "139.4"),                           # an argument missing
    ("coverage", "--minutes", "500"),               # a number out of range
    ("coverage", "--minutes", "ten"),               # not a number
    ("no-such-command",),                           # a command that does not exist
    ("import", "resources", "/no/such/file.csv"),   # a file that does not exist
    ("import",),                                    # a group without its command
], ids=lambda arguments: " ".join(arguments))
def test_clicks_own_errors_are_japanese(demo_spatialite_url, arguments):
    result = run_cli(demo_spatialite_url, *arguments, lang="ja")
    assert result.exit_code != 0
    assert result.output.strip(), arguments
    assert english_sentences(result.output) == [], result.output


def test_the_main_commands_on_the_demo_town_speak_japanese(demo_spatialite_url, tmp_path):
    runs = [("list", "resources"), ("list", "areas"), ("list", "population"),
            ("coverage", "--network", DEMO_STREETS, "--minutes", "10", "--unit", "小学校区"),
            ("gaps", "--network", DEMO_STREETS, "--minutes", "10"),
            ("aging", "--unit", "日常生活圏域"),
            ("capacity", "--network", DEMO_STREETS, "--unit", "elementary-district"),
            ("nearest", "139.41", "35.205", "--network", DEMO_STREETS, "--kind", "サロン", "-k", "3"),
            ("plan", "--network", DEMO_STREETS, "--k", "1"),
            ("import", "resources", DEMO_DATA / "salons.csv", "--kind", "サロン")]
    for arguments in runs:
        result = run_cli(demo_spatialite_url, *arguments, lang="ja")
        assert result.exit_code == 0, (arguments, result.output)
        assert english_sentences(result.output) == [], (arguments, result.output)
    # --unit in Japanese is the same unit as its CLI name.
    japanese = run_cli(demo_spatialite_url, "aging", "--unit", "小学校区", "--raw", lang="ja").stdout
    named = run_cli(demo_spatialite_url, "aging", "--unit", "elementary-district", "--raw", lang="ja").stdout
    assert japanese == named and "E01" in japanese


def _page_text(html: str) -> str:
    """What a reader sees of a page: its text, without scripts, styles and tags."""
    import html as entities
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return entities.unescape(re.sub(r"<[^>]+>", "\n", text))


def test_the_web_pages_and_their_errors_speak_japanese(demo):
    from geo_welfare.web import create_app
    client = create_app(demo, tiles="none", network=DEMO_STREETS).test_client()
    for path in ("/", "/planner", "/csw", "/coordinator", "/login"):
        answer = client.get(path + "?lang=ja")
        assert answer.status_code == 200, path
        assert english_sentences(_page_text(answer.data.decode())) == [], path
    for path in ("/api/coverage?minutes=0", "/api/plan?k=0", "/api/plan?candidates=points&points=x",
                 "/api/streets?bbox=1"):
        body = client.get(path + "&lang=ja").get_json()
        assert body["error"] and english_sentences(body["error"]) == [], (path, body)
