"""A sixth domain is one folder: copied into a temporary copy of the project as
``leanetl/defs/deliveries/`` (``sixth_domain/``: a dropped CSV a day, one table, one check, one
sample), it loads, appears in the settings docs and .env.example, its secret is redacted, it runs
in the demo driver and passes ``dg check defs`` — and no other file of the copy changes except
the two the settings script generates."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FOLDER = Path(__file__).with_name("sixth_domain")
COPIED = ("leanetl", "dbt", "scripts", "docs", "pyproject.toml", "workspace.yaml", ".env.example")
GENERATED = {"docs/settings.md", ".env.example"}  # rewritten by scripts/settings_docs.py
IGNORED = shutil.ignore_patterns("__pycache__", "logs", "*.duckdb", "partial_parse.msgpack")

pytestmark = pytest.mark.slow  # four processes that load every domain, one of them dg


def _tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not {"__pycache__", ".leanetl", "target"} & set(p.parts)
    }  # dbt/target: dbt's parse output, rewritten when dg loads the project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sixth") / "project"
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=IGNORED)
        else:
            shutil.copy2(source, root / name)
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


def _run(project: Path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LEANETL_", "DAGSTER"))}
    environ |= {"PYTHONPATH": str(project), "LEANETL_HOME": str(project / ".leanetl"), **env}
    return subprocess.run(
        command, cwd=project, env=environ, capture_output=True, text=True, timeout=900
    )


def test_a_sixth_domain_is_one_folder(project: Path) -> None:
    before = _tree(project)
    shutil.copytree(FOLDER, project / "leanetl/defs/deliveries", ignore=IGNORED)
    added = set(_tree(project)) - set(before)
    assert added and all(name.startswith("leanetl/defs/deliveries/") for name in added)

    loaded = _run(project, sys.executable, "-c", _LOAD, LEANETL_DELIVERIES_TOKEN="tok-123456789")
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert loaded.stdout.split() == [
        str(project / "leanetl/defs/deliveries/settings.py"),  # the copy, not this checkout
        "deliveries/parcels",
        "parcels_counted",
        "deliveries_daily",
        "deliveries_source",
        "LEANETL_DELIVERIES_TOKEN",
        "***",
    ]

    docs = _run(project, sys.executable, "scripts/settings_docs.py")
    assert docs.returncode == 0, docs.stderr
    for generated in GENERATED:
        text = (project / generated).read_text()
        assert "LEANETL_DELIVERIES_SOURCE_URL" in text and "deliveries (leanetl/defs" in text

    demo = _run(
        project, sys.executable, "-m", "leanetl.demo", "--days", "2", "--domains", "deliveries"
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    summary = [line for line in demo.stdout.splitlines() if line.startswith("deliveries ")][-1]
    assert summary.split()[1:5] == ["2", "1", str(_rows(project)), "1/1"], summary
    assert len(list((project / ".leanetl/lake/deliveries/parcels").glob("dt=*/data.parquet"))) == 2
    assert "deliveries         " in demo.stdout and "parcels/dt=" in demo.stdout

    checked = _run(project, "bash", "scripts/check-defs.sh", str(REPO / ".venv/bin"))
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-3000:]

    after = _tree(project)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == GENERATED


def _rows(project: Path) -> int:
    """The rows of the two days' sample CSVs, header aside."""
    found = sorted((project / ".leanetl/sources/deliveries").glob("parcels-*.csv"))
    days = found[:-1]  # the demo's two days; the newest file is today's, not run
    return sum(len(p.read_text().splitlines()) - 1 for p in days)


_LOAD = """
import sys
import leanetl.defs.deliveries.settings as declared
from leanetl.definitions import build_defs
from leanetl.lib.redact import redact
from leanetl.settings import load_settings
from leanetl.settings_doc import secret_names

defs = build_defs(load_settings())
keys = [k.to_user_string() for k in defs.resolve_all_asset_keys() if k.path[0] == "deliveries"]
checks = [s.name for a in defs.assets for s in getattr(a, "check_specs", [])
          if s.asset_key.path[0] == "deliveries"]
job = defs.resolve_job_def("deliveries_daily").name
resources = [name for name in defs.resources if name.startswith("deliveries")]
secrets = [name for name in secret_names() if "DELIVERIES" in name]
print(declared.__file__, *keys, *checks, job, *resources, *secrets, redact("tok-123456789"))
"""
