import subprocess
import sys
from pathlib import Path

import dagster as dg

from leanetl.definitions import build_defs
from leanetl.settings import load_settings
from leanetl_tests.conftest import REPO

VOLUNTEERS = {
    "event_signups",
    "event_signups_quarantine",
    "stg_volunteers__event_signups",
    "int_volunteers__signup_last_status",
    "int_volunteers__weekly_signup_counts",
    "flake_rate_weekly",
    "flake_rate_weekly_by_organizer",
    "flake_rate_outlook",
    "flake_rate_dashboard",
}
OUT = {
    "flake_rate_weekly",
    "flake_rate_weekly_by_organizer",
    "flake_rate_outlook",
    "flake_rate_dashboard",
}


def _specs(defs: dg.Definitions) -> dict[str, dg.AssetSpec]:
    graph = defs.resolve_asset_graph()
    return {
        key.path[-1]: graph.get(key)
        for key in graph.get_all_asset_keys()
        if key.path[0] == "volunteers"
    }


def test_local_graph_has_every_volunteers_asset_partitioned_and_grouped(leanetl_home) -> None:
    defs = build_defs(load_settings())
    nodes = _specs(defs)
    assert set(nodes) == VOLUNTEERS
    for name, node in nodes.items():
        assert node.group_name == "volunteers", name
        if name not in {"event_signups", "event_signups_quarantine"}:
            assert isinstance(node.partitions_def, dg.DailyPartitionsDefinition), name
            assert node.partitions_def.timezone == "America/Chicago"
        if name in OUT:
            assert node.freshness_policy is not None, f"{name} has no freshness policy"


def test_checks_cover_keys_range_and_reconciliation(leanetl_home) -> None:
    defs = build_defs(load_settings())
    checks = {(k.asset_key.path[-1], k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    names = {name for _, name in checks}
    assert ("event_signups", "quarantine_below_limit") in checks
    assert any(
        a == "flake_rate_weekly" and n.startswith("reconciles_with_signups") for a, n in checks
    )
    assert any(a == "flake_rate_weekly" and n.startswith("unique_combination") for a, n in checks)
    assert any(a == "flake_rate_weekly" and n.startswith("between") for a, n in checks)
    assert len(names) >= 10


def test_schedule_runs_daily_in_local_time(leanetl_home, monkeypatch) -> None:
    monkeypatch.setenv("LEANETL_VOLUNTEERS_CRON", "15 5 * * *")
    defs = build_defs(load_settings())
    schedule = defs.resolve_schedule_def("volunteers_daily_schedule")
    assert schedule.cron_schedule == "15 5 * * *"
    assert schedule.execution_timezone == "America/Chicago"
    assert schedule.job_name == "volunteers_daily"


def test_prod_reads_van_in_place_and_keeps_secrets_in_env_vars(monkeypatch, leanetl_home) -> None:
    monkeypatch.setenv("LEANETL_ENV", "prod")
    monkeypatch.setenv("LEANETL_BQ_PROJECT", "civic-prod")
    monkeypatch.setenv("LEANETL_VAN_SIGNUPS_TABLE", "van-sync.van.event_signups")
    monkeypatch.setenv("LEANETL_MONGO_URI", "mongodb+srv://user:hunter2@cluster.example")
    monkeypatch.setenv("LEANETL_CHATFUEL_TOKEN", "cf-secret-token-77")
    defs = build_defs(load_settings())
    graph = defs.resolve_asset_graph()
    source = graph.get(dg.AssetKey(["volunteers", "event_signups"]))
    assert not source.is_materializable  # an external table, read where it is
    resources = defs.resources
    assert resources["warehouse"].backend == "bigquery"
    assert isinstance(resources["mongo"].uri, dg.EnvVar)  # resolved only at run time
    assert isinstance(resources["chatfuel"].token, dg.EnvVar)
    assert not resources["chatfuel"].sample  # prod never answers from the sample bot
    assert "hunter2" not in repr(resources) and "cf-secret-token-77" not in repr(resources)


def test_dg_check_and_list_defs_are_clean(tmp_path: Path, leanetl_home) -> None:
    """`make validate`'s script (dg check defs, dg list defs) passes without a single warning,
    and dg loads the same definitions as build_defs."""
    from leanetl.demo import INSTANCE_YAML

    (tmp_path / "dagster.yaml").write_text(INSTANCE_YAML)
    env = {
        **__import__("os").environ,
        "DAGSTER_HOME": str(tmp_path),
        "LEANETL_HOME": str(leanetl_home),
    }
    run = {"cwd": REPO, "capture_output": True, "text": True, "timeout": 300, "env": env}
    bin_dir = str(Path(sys.executable).parent)
    result = subprocess.run(["bash", "scripts/check-defs.sh", bin_dir], **run, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All definitions loaded successfully" in output
    assert [line for line in output.splitlines() if "warn" in line.lower()] == [], output
    listed = subprocess.run([f"{bin_dir}/dg", "list", "defs", "--json"], **run, check=True)
    assets = {a["asset_key"] for a in __import__("json").loads(listed.stdout)["assets"]}
    expected = {
        k.to_user_string()
        for k in build_defs(load_settings()).resolve_asset_graph().get_all_asset_keys()
    }
    assert assets == expected and len(assets) == 72


def test_no_private_dagster_imports() -> None:
    from leanetl_tests.conftest import REPO

    offenders = [
        f"{path.relative_to(REPO)}:{n}"
        for folder in ("leanetl", "leanetl_tests", "bench")
        for path in (REPO / folder).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if line.lstrip().startswith(("import dagster._", "from dagster._"))
    ]
    assert offenders == []


def test_every_asset_has_a_layer_and_exactly_the_out_layer_is_kept_fresh(leanetl_home) -> None:
    graph = build_defs(load_settings()).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        layer = node.tags.get("layer")
        assert layer in ("raw", "core", "out"), (key, layer)
        assert (node.freshness_policy is not None) == (layer == "out"), key


def test_defs_functions_fit_on_a_screen() -> None:
    """Wiring only in defs/: no function (factories included) longer than about 80 lines."""
    import ast

    from leanetl_tests.conftest import REPO

    long = {
        f"{path.relative_to(REPO)}:{node.name}": node.end_lineno - node.lineno + 1
        for path in (REPO / "leanetl" / "defs").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 90
    }
    assert long == {}
