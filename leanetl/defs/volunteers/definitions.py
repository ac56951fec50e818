"""What `dg` loads for the volunteers domain: its definitions for this process's settings."""

import dagster as dg

from leanetl.defs import volunteers as domain
from leanetl.defs.policies import domain_defs
from leanetl.settings import settings


@dg.definitions
def volunteers() -> dg.Definitions:
    return domain_defs(domain, settings())
