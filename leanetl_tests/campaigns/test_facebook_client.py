"""The facebook-business SDK's transport against a fake Graph API replaying recorded shapes."""

import pytest

from leanetl.clients.facebook import (
    GraphClient,
    InsightsError,
    graph_policy,
    insights,
    make_api,
    usage,
)
from leanetl_tests.fakes.graph_api import FakeGraphApi, recorded_row, throttled
from leanetl_tests.fakes.http import Response

PARAMS = {"level": "campaign", "time_increment": 1, "breakdowns": ["region"], "limit": 2}


def rows(n: int) -> list[dict]:
    out = []
    for i in range(n):
        row = recorded_row()
        row["date_start"] = row["date_stop"] = f"2023-06-0{i + 1}"
        out.append(row)
    return out


@pytest.fixture
def graph():
    with FakeGraphApi(rows(5)) as server:
        yield server


class RecordingClient(GraphClient):
    """A GraphClient that records its waits instead of sleeping."""

    def __init__(self, graph: FakeGraphApi, **kwargs) -> None:
        self.waits: list[float] = []
        policy = graph_policy(**kwargs, sleep=self.waits.append)
        super().__init__(make_api("test-token", graph.url), policy)


def client(graph: FakeGraphApi, **kwargs) -> RecordingClient:
    return RecordingClient(graph, **kwargs)


def test_pages_follow_the_next_cursor_and_keep_strings(graph) -> None:
    graph_client = client(graph)
    got = insights(graph_client, "798085168510957", PARAMS, use_async=False)
    assert [r["date_start"] for r in got] == [f"2023-06-0{i}" for i in range(1, 6)]
    assert got[0]["spend"] == recorded_row()["spend"] and isinstance(got[0]["spend"], str)
    assert got[0]["actions"][0]["action_type"] == "page_engagement"
    assert graph_client.calls == 3  # 5 rows, 2 a page
    first = graph.requests[0]
    assert first.path.endswith("/act_798085168510957/insights")
    assert first.query["breakdowns"] == '["region"]'
    # The token travels in a header, never in a URL (where error messages would quote it), even
    # when following the API's next-page URLs, which carry it.
    assert all(r.headers["authorization"] == "OAuth test-token" for r in graph.requests)
    assert all("access_token" not in r.query for r in graph.requests)


def test_throttling_then_success_waits_and_retries(graph) -> None:
    graph.failures = [throttled(), throttled()]
    graph_client = client(graph, backoff_seconds=2)
    got = insights(graph_client, "1", PARAMS, use_async=False)
    assert len(got) == 5
    assert graph_client.retried == [80000, 80000]
    assert graph_client.waits == [2, 4]


def test_usage_headers_pause_and_regain_time() -> None:
    header = {
        "x-business-use-case-usage": '{"1": [{"type": "ads_insights", "call_count": 95, "total_cputime": 20, "total_time": 30, "estimated_time_to_regain_access": 3}]}'
    }
    assert usage(header) == (95.0, 180.0)
    assert usage({"x-app-usage": '{"call_count": 28, "total_time": 25, "total_cputime": 25}'}) == (
        28.0,
        0.0,
    )


def test_high_usage_pauses_before_the_next_call(graph) -> None:
    graph.usage_header = {
        "x-ad-account-usage": '{"acc_id_util_pct": 97.5, "reset_time_duration": 2}'
    }
    graph_client = client(graph, backoff_seconds=1)
    insights(graph_client, "1", PARAMS, use_async=False)
    assert graph_client.waits == [120.0, 120.0, 120.0]


def test_async_report_run_is_polled_to_completion(graph) -> None:
    graph.polls_to_finish = 3
    graph_client = client(graph)
    got = insights(graph_client, "1", PARAMS, use_async=True, poll_seconds=7)
    assert len(got) == 5
    assert graph.polls == 3
    assert graph_client.waits == [7, 7]
    assert graph.requests[0].method == "POST"
    assert graph.requests[-1].path.endswith("/6020000000001/insights")


def test_report_run_poll_limit(graph) -> None:
    graph.polls_to_finish = 100
    with pytest.raises(InsightsError, match="not finished after 4 polls"):
        insights(client(graph), "1", PARAMS, use_async=True, max_polls=4)


def test_permanent_errors_are_not_retried(graph) -> None:
    graph.failures = [
        Response(
            400,
            {
                "error": {
                    "message": "Invalid OAuth access token.",
                    "type": "OAuthException",
                    "code": 190,
                }
            },
        )
    ]
    with pytest.raises(
        InsightsError, match=r"Graph API error 190 \(OAuthException\): Invalid OAuth"
    ):
        insights(client(graph), "1", PARAMS, use_async=False)
    assert len(graph.requests) == 1


def test_retries_run_out(graph) -> None:
    graph.failures = [throttled() for _ in range(10)]
    with pytest.raises(InsightsError, match=r"80000.*after 3 attempts"):
        insights(client(graph, retries=2), "1", PARAMS, use_async=False)
