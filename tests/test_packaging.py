"""The wheel ships the three packages with the migrations, and works outside the checkout."""

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
        "screens/app.py",
        "screens/app.tcss",
        "screens/queue.tcss",
        "db/migrations/env.py",
        "db/migrations/script.py.mako",
        "db/migrations/versions/0001_initial_schema.py",
    ):
        assert required in names, required
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
        "import sys, db.migrate\n"
        "assert str(db.migrate.MIGRATIONS_DIR).startswith(sys.argv[1]), db.migrate.MIGRATIONS_DIR\n"
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
