"""The wheel ships one package (collector_tui, with db and screens inside it) and the migrations,
and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("collector_tui-*.whl")
    return built


def test_wheel_contains_the_packages_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "collector_tui/cli/main.py",
        "collector_tui/screens/app.py",
        "collector_tui/screens/app.tcss",
        "collector_tui/screens/queue.tcss",
        "collector_tui/db/migrations/env.py",
        "collector_tui/db/migrations/script.py.mako",
        "collector_tui/db/migrations/versions/0001_initial_schema.py",
    ):
        assert required in names, required
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"collector_tui"}
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "collector = collector_tui.cli.main:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_builds_a_demo_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_DATA_HOME": str(tmp_path / "data")}
    code = (
        "import sys, collector_tui.db.migrate as migrate\n"
        "assert str(migrate.MIGRATIONS_DIR).startswith(sys.argv[1]), migrate.MIGRATIONS_DIR\n"
        "from collector_tui.cli.main import run\n"
        "sys.argv = ['collector', 'demo', '--accounts', '30', '--build-only']\n"
        "run()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo database:" in result.stdout
    assert (tmp_path / "data" / "collector-tui" / "demo.db").exists()


def test_a_clean_venv_with_only_the_wheel_has_no_top_level_db_or_screens(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", site, str(wheel)],
        check=True,
        capture_output=True,
    )
    tops = {p.name for p in Path(site).iterdir() if not p.name.endswith(".dist-info")}
    assert "collector_tui" in tops and not {"db", "screens"} & tops
    for name in ("db", "screens"):
        result = subprocess.run(
            [str(python), "-c", f"import {name}"], cwd=tmp_path, capture_output=True, text=True, check=False
        )
        assert result.returncode == 1 and "ModuleNotFoundError" in result.stderr, name
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print(u.find_spec('collector_tui.db.migrate').origin)",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.startswith(site)
