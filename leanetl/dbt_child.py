"""``leanetl-dbt``: dbt that ends with the run that started it.

Dagster starts dbt as a child process. When a run's process is killed (SIGKILL, the OOM killer) its
dbt would go on writing to the warehouse on its own; this wrapper asks Linux to kill it as soon as
its parent is gone (``PR_SET_PDEATHSIG``), then becomes dbt (``exec``), so dbt keeps its PID, its
output and its exit code. Elsewhere (macOS) it just runs dbt.
"""

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` ends (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(128 + signal.SIGKILL)


def main() -> None:
    die_with_parent(os.getppid())
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(str(dbt), [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
