"""Keys shared by the leads assets."""

from leanetl.defs.asset_keys import asset_keys

DOMAIN = "leads"
LEADS_RAW, COMPANIES_RAW, LEADS, COMPANIES = asset_keys(
    DOMAIN, "leads_raw", "companies_raw", "leads", "companies"
)
