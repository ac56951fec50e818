"""Every Python check is a pure lib function returning ``{check: (passed, metadata)}``; the
domains' Dagster wiring only reports them (``defs/checks.check_results``)."""

from pathlib import Path

import pandas as pd

from leanetl.lib.campaigns.checks import (
    ids_unique,
    matches_insights,
    one_total_per_campaign,
    shares_add_up,
)
from leanetl.lib.chatfuel.checks import (
    broadcast_ids_unique,
    broadcasts_written,
    pulled_day_stored,
)
from leanetl.lib.web_events.checks import message_id_unique

DEFS = Path(__file__).parents[2] / "leanetl" / "defs"


def test_campaign_checks() -> None:
    campaigns = pd.DataFrame({"campaign_id": ["a", "b", "b"], "facebook_campaign_id": [1, 2, 3]})
    assert ids_unique(campaigns) == {"ids_unique": (False, {"duplicates": ["b"]})}
    assert ids_unique(campaigns.head(2))["ids_unique"][0]
    stats = pd.DataFrame(
        {"level": ["campaign", "region"], "campaign_id": ["a", "a"],
         "conversion_rate": [0.1, None], "cost_per_result": [2.0, -1.0]}
    )  # fmt: skip
    assert one_total_per_campaign(stats) == {"one_total_per_campaign": (False, {"campaigns": 1})}
    assert one_total_per_campaign(stats.head(1))["one_total_per_campaign"][0]
    documents = [{"_id": "a:1", "spend": 1.5}, {"_id": "a:2", "spend": 2.0}]
    assert matches_insights(documents, {"a:1": 1.5, "a:2": 2.0})["matches_insights"][0]
    assert matches_insights(documents, {"a:1": 1.5}) == {
        "matches_insights": (False, {"mismatched": "a:2"})
    }
    shares = [{"campaign_id": "a", "share_of_funds": 0.5}, {"campaign_id": "a", "share_of_funds": 0.5},
              {"campaign_id": "b", "share_of_funds": 0.9}]  # fmt: skip
    assert shares_add_up(shares) == {"shares_add_up": (False, {"campaigns_off": "b"})}
    assert shares_add_up([]) == {"shares_add_up": (True, {"campaigns_off": "none"})}


def test_chatfuel_and_web_events_checks() -> None:
    assert broadcast_ids_unique(["1", "2", "2"]) == {
        "broadcast_ids_unique": (False, {"repeated_ids": 1})
    }
    written = broadcasts_written(stored=2, with_message=3, unknown_recipients=0)
    assert not written["entries_written"][0] and written["recipients_are_users"][0]
    outcome = message_id_unique({"tracks": 5}, {"tracks": 1, "pages": 0}, local=True)
    assert outcome["message_id_unique"] == (
        False,
        {"repeated": {"tracks": 1}, "rows_checked": {"tracks": 5}, "checked": "duckdb views"},
    )


def test_a_pulled_day_as_stored_in_duckdb() -> None:
    import duckdb

    db = duckdb.connect()
    db.sql(
        "create table users as select * from (values ('u1', 1), ('u1', 1), ('u2', 1)) t(user_id, dt)"
    )
    db.sql(
        "create table facts as select * from (values ('u1', 1), ('u3', 1), ('u3', 2)) t(user_id, dt)"
    )

    def number(expression: str, rest: str) -> int:
        return db.execute(f"select {expression} as n {rest}", {"day": 1}).fetchone()[0]

    outcomes = pulled_day_stored(number, "users", "facts", "$day", events_read=2)
    assert outcomes == {
        "events_reconcile": (True, {"events_stored": 2, "events_read": 2}),
        "event_users_known": (False, {"events_of_unknown_users": 1}),
        "user_ids_unique": (False, {"repeated_user_ids": 1}),
    }
    assert not pulled_day_stored(number, "users", "facts", "$day", 3)["events_reconcile"][0]


def test_no_domain_writes_a_check_result_itself() -> None:
    for path in DEFS.glob("*/*.py"):  # the domains' packages (the core's builders are above)
        assert "AssetCheckResult(" not in path.read_text(), path
