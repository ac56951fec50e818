"""scripts/system-deps.sh, which `make test`, `make demo` and CI run first: installs Java and
Debian's chromium when it may (root, passwordless sudo), else prints the one command and stops."""

import subprocess
from pathlib import Path

import pytest

from leanetl_tests.conftest import REPO

SCRIPT = REPO / "scripts" / "system-deps.sh"


def fake_bin(tmp_path: Path, uid: int, sudo_ok: bool, have: tuple[str, ...] = ()) -> Path:
    """A PATH with only stand-ins: id, sudo, apt-get (recording its calls) and ``have``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "id": f"echo {uid}",
        "sudo": f'[ "$1" = -n ] && exit {0 if sudo_ok else 1}; "$@"',
        "apt-get": f'echo "$*" >> {tmp_path}/apt.log',
        "env": 'while [ "${1#*=}" != "$1" ]; do export "$1"; shift; done; "$@"',
        **dict.fromkeys(have, "exit 0"),
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/bash\n{body}\n")
        path.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, mode: str, **kwargs) -> subprocess.CompletedProcess:
    path = fake_bin(tmp_path, **kwargs)
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), mode],
        env={"PATH": str(path)},
        capture_output=True,
        text=True,
        check=False,
    )


def apt_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize(("uid", "sudo_ok"), [(0, False), (1000, True)], ids=["root", "sudo"])
def test_installs_what_is_missing_when_it_may(tmp_path, uid, sudo_ok) -> None:
    result = run(tmp_path, "test", uid=uid, sudo_ok=sudo_ok)
    assert result.returncode == 0, result.stderr
    assert apt_calls(tmp_path) == [
        "update -qq",
        "install -y -qq --no-install-recommends default-jre-headless chromium",
    ]


def test_stops_with_the_one_command_when_it_may_not(tmp_path) -> None:
    result = run(tmp_path, "test", uid=1000, sudo_ok=False, have=("java",))
    assert result.returncode == 1
    assert "sudo apt-get install -y chromium" in result.stderr
    assert apt_calls(tmp_path) == []


def test_demo_goes_on_without_chromium_but_not_without_java(tmp_path) -> None:
    no_chromium = run(tmp_path, "demo", uid=1000, sudo_ok=False, have=("java",))
    assert no_chromium.returncode == 0 and "without PNGs" in no_chromium.stderr
    (tmp_path / "bin").rename(tmp_path / "bin-1")
    no_java = run(tmp_path, "demo", uid=1000, sudo_ok=False, have=("chromium",))
    assert no_java.returncode == 1
    assert "sudo apt-get install -y default-jre-headless" in no_java.stderr


def test_nothing_to_do_when_everything_is_there(tmp_path) -> None:
    result = run(tmp_path, "test", uid=1000, sudo_ok=False, have=("java", "chromium"))
    assert result.returncode == 0 and result.stderr == "" and apt_calls(tmp_path) == []
