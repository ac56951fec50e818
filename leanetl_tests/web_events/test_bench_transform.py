"""``make bench --web``'s steps run on a small corpus: the transform on one and on two worker
processes writes the same files, and the DuckDB anchor splits the corpus per call and event."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.web_events import DUCKDB_SPLIT, TRANSFORM, write_corpus

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=300)


def _files(root: Path) -> dict[str, bytes]:
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.parquet")}
    return files | {"names": (root / "manifests" / "names.json").read_bytes()}


@pytest.mark.slow  # starts worker processes
def test_the_bench_transform_and_its_anchor_run(tmp_path: Path) -> None:
    objects, _, _ = write_corpus(tmp_path / "corpus", 5_000_000)
    assert objects >= 2
    for workers in (1, 2):
        _run(
            TRANSFORM.format(
                corpus=tmp_path / "corpus", out=tmp_path / f"out{workers}", workers=workers
            )
        )
    one, two = _files(tmp_path / "out1"), _files(tmp_path / "out2")
    assert one == two and len(one) > objects * 5
    _run(DUCKDB_SPLIT.format(corpus=tmp_path / "corpus", out=tmp_path / "duck"))
    split = sorted(p.name for p in (tmp_path / "duck-split").iterdir())
    assert {"track.parquet", "page.parquet", "identify.parquet"} <= set(split)
    assert len(split) > 3  # and one file per track event
