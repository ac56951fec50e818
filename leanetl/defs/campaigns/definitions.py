"""What `dg` loads for the campaigns domain: its definitions for this process's settings."""

import dagster as dg

from leanetl.defs.campaigns import build_defs
from leanetl.settings import settings


@dg.definitions
def campaigns() -> dg.Definitions:
    return build_defs(settings())
