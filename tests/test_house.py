"""The house rules, as tests: one namespace, dependencies one way, settings and words each in one place.

ARCHITECTURE.md describes the layout these tests hold the code to.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import REPOSITORY

PRODUCT = ("geo_welfare", "layers", "web")
#: Folders installed under another name (pyproject's package-dir).
MAPPED = {"layers": "geo_welfare.layers", "web": "geo_welfare.web", "data": "geo_welfare.data"}
KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
#: The modules whose job is Japanese text: the domain words, the schedule grammar, the column aliases.
MAY_HOLD_JAPANESE = {"geo_welfare/core/glossary.py", "layers/columns.py", "layers/schedules/parse.py", "layers/schedules/grammar.py",
                     "layers/addresses/grammar.py", "layers/area_grammar.py"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_REASON = re.compile(r"#\s*[Ll]ong because\b")


def product_modules() -> list[Path]:
    """Every Python module of the product (migrations are generated history, not design)."""
    return sorted(path for folder in PRODUCT for path in (REPOSITORY / folder).rglob("*.py")
                  if "migrations" not in path.parts and "__pycache__" not in path.parts)


def relative(path: Path) -> str:
    return path.relative_to(REPOSITORY).as_posix()


def dotted(path: Path) -> str:
    """The module name a product file is imported as."""
    parts = list(path.relative_to(REPOSITORY).with_suffix("").parts)
    if parts[0] in MAPPED:
        parts = MAPPED[parts[0]].split(".") + parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def test_the_package_list_is_every_folder_with_an_init():
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {dotted(init) for folder in (*PRODUCT, "data") for init in (REPOSITORY / folder).rglob("__init__.py")
               if "__pycache__" not in init.parts}
    assert set(config["packages"]) == folders
    assert config["package-dir"] == {name: folder for folder, name in MAPPED.items()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The package installed as a user would (not editable) into a folder of its own."""
    target = tmp_path_factory.mktemp("installed")
    source = tmp_path_factory.mktemp("source") / "geo-welfare"  # a copy: the build leaves its build/ there
    shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info",
                                                                       "__pycache__", "test-artifacts", "*.sqlite", ".city"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(source)],
                   check=True, capture_output=True)
    return target


def _python(installed: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=environment, capture_output=True, text=True)


def test_one_import_namespace_after_install(installed, tmp_path):
    assert sorted(path.name for path in installed.iterdir() if not path.name.endswith(".dist-info")) \
        == ["bin", "geo_welfare"]
    found = _python(installed, "import geo_welfare, geo_welfare.layers.resources, geo_welfare.web; "
                               "print(geo_welfare.web.__file__)", tmp_path)
    assert found.returncode == 0 and found.stdout.startswith(str(installed)), found.stderr
    for name in ("layers", "web", "data"):
        refused = _python(installed, f"import {name}", tmp_path)
        assert refused.returncode == 1 and "ModuleNotFoundError" in refused.stderr, name


def test_the_installed_package_runs_the_demo(installed, tmp_path):
    store = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    result = _python(installed, "import sys; from geo_welfare.cli import main; "
                                f"sys.argv = ['geo-welfare', '--database', '{store}', '--lang', 'en', 'demo', '--no-serve']; "
                                "main()", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "salons.csv: 30 added" in result.stderr


def test_dependencies_point_one_way(installed):
    """The import-linter contracts in pyproject.toml, over the installed package (one namespace)."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), str(REPOSITORY / "pyproject.toml"), "--no-cache"], cwd=installed,
                            env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.lower().split("contracts:")[-1] or " 0 broken" in result.stdout


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node, node.module, [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, []


def test_no_private_name_imported_across_modules():
    crossing = []
    for path in product_modules():
        for node, module, names in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.startswith("geo_welfare") and module != dotted(path):
                crossing += [f"{relative(path)}:{node.lineno} {module}.{name}" for name in names
                             if name.startswith("_") and not name.startswith("__")]
    assert crossing == []


def test_no_top_level_layers_or_web_import_in_the_product_or_the_tests():
    wrong = []
    for path in [*product_modules(), *(REPOSITORY / "tests").glob("*.py"), *(REPOSITORY / "benchmarks").glob("*.py")]:
        for node, module, _ in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module.split(".")[0] in ("layers", "web", "data"):
                wrong.append(f"{relative(path)}:{node.lineno} {module}")
    assert wrong == []


def test_no_test_module_imports_another():
    tests = {path.stem for path in (REPOSITORY / "tests").glob("*.py")}
    wrong = []
    for path in (REPOSITORY / "tests").glob("*.py"):
        for node, module, _ in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if module in tests and module != "helpers":
                wrong.append(f"tests/{path.name}:{node.lineno} {module}")
    assert wrong == []


def test_only_the_settings_module_reads_the_environment():
    readers = []
    for path in product_modules():
        if relative(path) == "geo_welfare/core/config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.append(f"{relative(path)}:{node.lineno}")
            elif isinstance(node, ast.keyword) and node.arg in ("envvar", "auto_envvar_prefix") \
                    and isinstance(node.value, ast.Constant):
                readers.append(f"{relative(path)}:{node.value.lineno} envvar={node.value.value!r}")
    assert readers == []


def _string_literals(tree: ast.AST):
    """Every string constant that is not a docstring (docstrings may explain the domain in its own words)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_no_python_module_holds_japanese_of_its_own():
    """Words come from the catalogue; only the glossary, the schedule grammar and the column aliases hold Japanese."""
    holding = {}
    for path in product_modules():
        if relative(path) in MAY_HOLD_JAPANESE:
            continue
        lines = sorted({node.lineno for node in _string_literals(ast.parse(path.read_text(encoding="utf-8")))
                        if KANA_KANJI.search(node.value)})
        if lines:
            holding[relative(path)] = lines
    assert holding == {}


def test_modules_and_functions_are_split_at_their_seams():
    """No module over 400 lines; no function with over 60 lines of code unless a comment above says why."""
    long_modules = {relative(path): n for path in product_modules()
                    if (n := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES}
    assert long_modules == {}
    long_functions = []
    for path in product_modules():
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
                length = node.end_lineno - body[0].lineno + 1  # the code, not its documentation
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                reason = "\n".join(lines[max(0, first - 4):first - 1])
                if length > MAX_FUNCTION_LINES and not LONG_REASON.search(reason):
                    long_functions.append(f"{relative(path)}:{node.lineno} {node.name} ({length} lines)")
    assert long_functions == []
