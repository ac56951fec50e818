"""What `dg` loads for the volunteers domain: its definitions for this process's settings."""

import dagster as dg

from leanetl.defs.volunteers import build_defs
from leanetl.settings import settings


@dg.definitions
def volunteers() -> dg.Definitions:
    return build_defs(settings())
