"""What `dg` loads for the campaigns domain: its definitions for this process's settings."""

import dagster as dg

from leanetl.defs import campaigns as domain
from leanetl.defs.policies import domain_defs
from leanetl.settings import settings


@dg.definitions
def campaigns() -> dg.Definitions:
    return domain_defs(domain, settings())
