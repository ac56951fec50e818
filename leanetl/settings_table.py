"""A settings table: ``settings.toml`` beside the core's and each domain's settings reader,
one ``[NAME]`` table per setting with its ``default`` and ``doc`` (its meaning; one that starts
with ``secret:`` makes a secret). Data, not code: the docs page, .env.example, the reader's
defaults and the redactor's list come from it."""

import tomllib
from pathlib import Path

SettingsTable = dict[str, tuple[str, str]]  # name -> (default, meaning), in the file's order


def read_settings_table(path: Path) -> SettingsTable:
    """The settings of ``path``; an error naming the file and the setting if one is malformed."""
    with path.open("rb") as file:
        declared = tomllib.load(file)
    table: SettingsTable = {}
    for name, entry in declared.items():
        if not isinstance(entry, dict) or set(entry) != {"default", "doc"}:
            raise ValueError(f"{path}: [{name}] must hold exactly `default` and `doc`")
        if not all(isinstance(entry[field], str) for field in ("default", "doc")):
            raise ValueError(f"{path}: [{name}] `default` and `doc` must be strings")
        table[name] = (entry["default"], entry["doc"])
    return table
