"""Asset checks from outcomes computed in ``lib``: every domain's checks are pure functions
returning ``{check name: (passed, metadata)}``, turned into Dagster results here, one way."""

from collections.abc import Iterable, Mapping

import dagster as dg

from leanetl.lib.outcomes import Outcomes


def _metadata_value(value: object) -> object:
    return dg.MetadataValue.json(value) if isinstance(value, (dict, list)) else value


def check_results(
    outcomes: Outcomes, asset_of: Mapping[str, dg.AssetKey], warn: Iterable[str] = ()
) -> list[dg.AssetCheckResult]:
    """One result per outcome on its asset; checks named in ``warn`` have WARN severity."""
    warn = set(warn)
    return [
        dg.AssetCheckResult(
            asset_key=asset_of[name],
            check_name=name,
            passed=bool(passed),
            severity=dg.AssetCheckSeverity.WARN if name in warn else dg.AssetCheckSeverity.ERROR,
            metadata={k: _metadata_value(v) for k, v in metadata.items()},
        )
        for name, (passed, metadata) in outcomes.items()
    ]
