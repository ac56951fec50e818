"""What `dg` loads for the leads domain: its definitions for this process's settings."""

import dagster as dg

from leanetl.defs.leads import build_defs
from leanetl.settings import settings


@dg.definitions
def leads() -> dg.Definitions:
    return build_defs(settings())
