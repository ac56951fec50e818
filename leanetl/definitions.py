"""Root Definitions, as `dg` loads them: every module under ``leanetl/defs`` ([tool.dg]).

Each domain package (found by ``leanetl.domains``) has a ``definitions.py`` with an ``@dg.definitions`` function over its
``build_defs(settings)`` (shared policies applied by ``defs/policies.py``), and
``defs/environment.py`` adds this environment's resources, executor and sensors.
``build_defs(settings)`` builds the same for other settings (tests: prod, branch).
"""

from pathlib import Path

import dagster as dg

from leanetl.defs.environment import build_environment_defs
from leanetl.defs.policies import domain_defs
from leanetl.domains import domains
from leanetl.settings import Settings


def build_defs(current: Settings) -> dg.Definitions:
    """All of leanetl for ``current`` settings."""
    return dg.Definitions.merge(
        *(domain_defs(d.require("definitions", "build_defs"), current) for d in domains()),
        build_environment_defs(current),
    )


defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
