"""Whole files on a local disk: written to a temporary file beside the target and renamed into
place (a reader never sees half a file), and the temporary files of writers that died cleaned."""

import os
import tempfile
import time
from pathlib import Path

import psutil

_UMASK = os.umask(0)
os.umask(_UMASK)


TEMP_PREFIX = ".tmp-"


def remove_orphaned_temp_files(directory: Path) -> list[Path]:
    """Delete temp files in ``directory`` left by writers that died mid-write (killed runs).

    A temp file is named ``.tmp-<pid>-…``: it is an orphan when that process is gone. Files of
    live writers are left alone; older unnamed ones (no pid) go after an hour.
    """
    removed = []
    for path in directory.glob(f"{TEMP_PREFIX}*"):
        pid = path.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            orphan = (
                not psutil.pid_exists(int(pid))
                if pid.isdigit()
                else time.time() - path.stat().st_mtime > 3600
            )
            if orphan:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue  # its writer renamed or removed it meanwhile
    return removed


def write_atomically(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` whole, or what it held before (a failed write leaves no trace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphaned_temp_files(path.parent)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; keep the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
