"""The Chatfuel dashboard page from users_daily and broadcasts_daily rows."""

import datetime as dt

import pandas as pd

from leanetl.lib.chatfuel.dashboard import chatfuel_dashboard


def test_page_shows_every_bucket_over_time_and_newest_broadcasts_first() -> None:
    days = [dt.date(2026, 3, 2), dt.date(2026, 3, 3)]
    users = pd.DataFrame(
        {
            "as_of_date": days[::-1],
            "reachable": [9, 8],
            "blocked": [1, 2],
            "engagement_hot_lead": [4, 3],
            "engagement_none": [5, 5],
            "opinion_on_the_fence": [2, 2],
            "opinion_none": [7, 6],
        }
    )
    broadcasts = pd.DataFrame(
        {
            "sent_on": [days[0], days[1], None],
            "name": ["Older digest", "Newer digest", "Next digest"],
            "kind": ["scheduled"] * 3,
            "status": ["Finished", "Finished", "Live"],
            "audience": ["All (status IS reachable)"] * 3,
            "recipients_count": [None, 8, None],
            "recipients_count_change": [None, None, None],
            "recipients_listed": [9, 8, 0],
        }
    )
    page = chatfuel_dashboard(users, broadcasts, "2026-03-03")
    for label in ("hot lead", "on the fence", "Reachable and blocked users"):
        assert label in page
    assert page.index("Next digest") < page.index("Newer digest") < page.index("Older digest")
