"""The domains, found rather than listed: every package under ``leanetl/defs/`` whose
``settings.py`` declares ``DOMAIN = Domain(...)`` is one.

A domain's package holds all of it (README: "Adding a domain"); the core reaches it only through
this registry, never by importing it:

- ``settings.toml``: its settings' names, defaults and meanings (secrets among them, marked
  ``secret:``; ``leanetl/settings_table.py``);
- ``settings.py``: ``DOMAIN = Domain.of(__name__, …)`` with ``read(values, core)``, which
  returns its frozen settings object (``settings.<name>`` afterwards);
- ``definitions.py``: ``build_defs(settings)`` (its assets, checks, jobs, schedules, sensors) and
  what ``dg`` loads, ``<domain> = loaded_by_dg(build_defs)`` (``defs/policies.py``);
- ``resources.py`` (optional): ``build_resources(settings)``, its resources for the environment;
- ``sample.py`` (optional): ``prepare_sample(settings, days, today, sample_home)``, writing its
  sample sources into a local home, and ``demo_results(settings, days)``, the lines ``make demo``
  prints about where its results are.
"""

import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from leanetl.env_values import EnvValues
from leanetl.settings_table import SettingsTable, read_settings_table

DEFS_PACKAGE = "leanetl.defs"


@dataclass(frozen=True)
class Domain:
    name: str  # its package's name: its settings' key, warehouse schema and lake folder
    title: str  # how the docs and the demo name it
    order: int  # its place in the docs, the settings table and the demo
    doc: SettingsTable  # its settings (its settings.toml): name -> (default, meaning)
    read: Callable[[EnvValues, Any], object]  # (values, core settings) -> its settings
    demo_job: str = ""  # the job `make demo` runs for it ('' : none)
    # `make demo` runs it in a process of its own beside the others (it must not write DuckDB).
    demo_alongside: bool = False

    @classmethod
    def of(cls, settings_module: str, **declared: Any) -> "Domain":
        """The domain whose package holds ``settings_module`` (its ``__name__``): named after
        the package, titled after it unless ``title`` is given (``web_events``: "web events")."""
        name = settings_module.split(".")[-2]
        title = declared.pop("title", name.replace("_", " "))
        table = Path(str(sys.modules[settings_module].__file__)).with_name("settings.toml")
        return cls(name=name, title=title, doc=read_settings_table(table), **declared)

    @property
    def package(self) -> str:
        return f"{DEFS_PACKAGE}.{self.name}"

    def hook(self, module: str, name: str) -> Callable[..., Any] | None:
        """``name`` from the package's ``module``, or None where the domain has none."""
        found = _module(f"{self.package}.{module}")
        return getattr(found, name, None) if found else None

    def require(self, module: str, name: str) -> Callable[..., Any]:
        """``name`` from the package's ``module``; an error naming what is missing if absent."""
        found = self.hook(module, name)
        if found is None:
            raise ValueError(f"domain {self.name}: {self.package}.{module} has no {name}")
        return found


def _module(name: str) -> ModuleType | None:
    return importlib.import_module(name) if importlib.util.find_spec(name) else None


@cache
def domains() -> tuple[Domain, ...]:
    """Every domain, in their declared order."""
    found = []
    for info in pkgutil.iter_modules(importlib.import_module(DEFS_PACKAGE).__path__):
        declared = info.ispkg and _module(f"{DEFS_PACKAGE}.{info.name}.settings")
        domain = getattr(declared, "DOMAIN", None) if declared else None
        if isinstance(domain, Domain):
            if domain.name != info.name:
                raise ValueError(f"{DEFS_PACKAGE}.{info.name} declares a domain {domain.name!r}")
            found.append(domain)
    return tuple(sorted(found, key=lambda d: (d.order, d.name)))


def domain_docs() -> dict[str, Mapping[str, tuple[str, str]]]:
    """Each domain's settings, by domain name."""
    return {d.name: d.doc for d in domains()}
