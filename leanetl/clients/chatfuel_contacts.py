"""Every contact of a bot with every attribute, from Chatfuel's API as one export file: the
export task, or, when the task fails or outlasts its polls, the contacts pages (names in
batches) written in the export's own layout."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from leanetl.clients.chatfuel import ChatfuelClient, ChatfuelError, download
from leanetl.lib.chatfuel.export import write_contacts_csv


def api_export(
    client: ChatfuelClient,
    polls: tuple[float, int],
    path: Path,
    source: str,
    warn: Callable[[str], None],
) -> tuple[Path, str, dict[str, Any]]:
    """(``path`` holding the export, its source name for errors, how it was got).
    ``polls``: seconds between polls of the task, and the most polls; ``warn`` hears why the
    pages were read instead."""
    try:
        size = download(client.export_url(*polls), path)
        return path, f"{source} export", {"route": "export task", "export_bytes": size}
    except ChatfuelError as exc:
        warn(f"{exc}; reading the contacts page by page instead")
        names = [attribute.name for attribute in client.attributes()]
        with path.open("w", encoding="utf-8", newline="") as handle:
            write_contacts_csv(client.contacts(names), names, handle)
        route = {"route": "contacts pages", "export_failure": str(exc), "api_calls": client.calls}
        return path, f"{source} pages", route
