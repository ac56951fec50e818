"""Keys shared by the leads assets."""

import dagster as dg

DOMAIN = "leads"
LEADS_RAW = dg.AssetKey([DOMAIN, "leads_raw"])
COMPANIES_RAW = dg.AssetKey([DOMAIN, "companies_raw"])
LEADS = dg.AssetKey([DOMAIN, "leads"])
COMPANIES = dg.AssetKey([DOMAIN, "companies"])
