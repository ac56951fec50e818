"""The sample bot behind Chatfuel's GraphQL API: the demo's broadcasts and the tests' fake server.

The same 2,500 subscribers and attributes as the sample export (``sample.chatfuel``), a
broadcast every Monday since 2025-09-01 (scheduled in even weeks, one-time in odd weeks, each
to one of three audiences, one of them renamed on 2026-10-01), an ordinary flow that is not a
broadcast, and a contacts export task that takes a few polls. Operations are executed by
graphql-core against ``clients/chatfuel.graphql``, with Chatfuel's limits: at most 100 contacts
a page and 1,500 attribute names a request. The bot is as it stands at the end of ``day`` (UTC).
"""

import base64
import datetime as dt
import functools
import itertools
import json
from collections.abc import Callable
from typing import Any

import graphql

from leanetl.clients.chatfuel_operations import SCHEMA
from leanetl.lib.chatfuel.broadcasts import segment_input
from leanetl.sample.chatfuel import SYSTEM_HEADERS, USERS, attribute_names, sample_row

MAX_PAGE, MAX_NAMES = 100, 1_500
FIRST_MONDAY = dt.date(2025, 9, 1)
RENAMED_ON = dt.date(2026, 10, 1)
SYSTEM_NAMES = ["first name", "last name", "signed up", "last seen", "status"]
_REACHABLE = {
    "id": "f-reachable",
    "byAttribute": {
        "attribute": {"name": "status"},
        "defaultStrategy": {"operator": "IS", "comparableValues": ["reachable"]},
    },
}


@functools.cache
def _schema() -> graphql.GraphQLSchema:
    return graphql.build_schema(SCHEMA.read_text())


def _error(code: str, message: str) -> graphql.GraphQLError:
    return graphql.GraphQLError(message, extensions={"code": code})


def _cursor(index: int) -> str:
    return base64.b64encode(f"offset:{index}".encode()).decode()


def _offset(cursor: str | None) -> int:
    return int(base64.b64decode(cursor).decode().split(":")[1]) if cursor else 0


def _page(items: list, first: int | None, after: str | None) -> dict[str, Any]:
    start = _offset(after)
    chosen = items[start : start + (first or len(items))]
    return {
        "edges": [{"node": n, "cursor": _cursor(start + i + 1)} for i, n in enumerate(chosen)],
        "pageInfo": {
            "hasNextPage": start + len(chosen) < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": _cursor(start),
            "endCursor": _cursor(start + len(chosen)),
        },
    }


def _value(name: str, text: str) -> dict[str, Any]:
    kind = "Long" if text.isdigit() else "String"
    field = "longValue" if kind == "Long" else "stringValue"
    return {"__typename": f"BotAttributeValue{kind}", "id": f"{name}:{text}", field: text}


def _matches(values: dict[str, str], segment: dict[str, Any] | None) -> bool:
    """Whether a contact with ``values`` is in the ``SegmentInput``."""
    if not segment:
        return True
    results = []
    for item in segment["filters"]:
        if item.get("byInFlightSegment"):
            results.append(_matches(values, item["byInFlightSegment"]))
            continue
        attribute = item["byAttribute"]
        strategy = attribute.get("defaultStrategy") or {}
        value, wanted = values.get(attribute["name"], ""), strategy.get("comparableValues") or []
        results.append(
            {
                "IS": value in wanted,
                "IS_NOT": value not in wanted,
                "CONTAINS": any(w in value for w in wanted),
                "STARTS_WITH": any(value.startswith(w) for w in wanted),
                "IS_EMPTY": value == "",
                "IS_NOT_EMPTY": value != "",
            }.get(strategy.get("operator"), False)
        )
    return all(results) if segment["resultOperator"] == "and" else any(results)


def _segments(monday: dt.date) -> list[dict[str, Any]]:
    quiz = [
        {
            "id": f"f-quiz-{i}",
            "byAttribute": {
                "attribute": {"name": f"quiz_answer_{i:03d}"},
                "defaultStrategy": {"operator": "IS_NOT_EMPTY", "comparableValues": []},
            },
        }
        for i in range(40)
    ]
    housing = [
        {
            "id": f"f-housing-{i}",
            "byAttribute": {
                "attribute": {"name": f"topic_{i:03d}"},
                "defaultStrategy": {"operator": "IS", "comparableValues": ["housing", "climate"]},
            },
        }
        for i in range(60)
    ]
    renamed = monday >= RENAMED_ON
    return [
        {
            "id": "seg-all",
            "name": "All reachable subscribers",
            "resultOperator": "and",
            "filters": [_REACHABLE],
        },
        {
            "id": "seg-quiz",
            "name": "Quiz takers",
            "resultOperator": "and",
            "filters": [
                _REACHABLE,
                {
                    "id": "f-quiz",
                    "byInFlightSegment": {
                        "id": "seg-quiz-any",
                        "name": None,
                        "resultOperator": "or",
                        "filters": quiz,
                    },
                },
            ],
        },
        {
            "id": "seg-housing",
            "name": "Housing & rent readers" if renamed else "Housing readers",
            "resultOperator": "or",
            "filters": housing,
        },
    ]


def _template(monday: dt.date) -> dict[str, Any]:
    greeting = {
        "__typename": "WhatsAppTemplateComponentTextPartParam",
        "name": "1",
        "value": {
            "parts": [{"__typename": "TemplateStrAttribute", "attribute": {"name": "first name"}}]
        },
    }
    text = [
        {"__typename": "WhatsAppTemplateComponentTextPartText", "text": "Hi "},
        greeting,
        {
            "__typename": "WhatsAppTemplateComponentTextPartText",
            "text": f", here is what we published in the week of {monday:%d %B}.",
        },
    ]
    component = {"__typename": "WhatsAppTemplateComponentText"}
    return {
        "templateID": f"tpl-{monday:%Y%m%d}",
        "name": f"weekly_digest_{monday:%Y%m%d}",
        "status": "Approved",
        "header": {
            **component,
            "text": [{"__typename": "WhatsAppTemplateComponentTextPartText", "text": "This week"}],
        },
        "body": {**component, "text": text},
        "footer": None,
        "buttons": [
            {"__typename": "WhatsAppTemplateQuickReplyButton", "id": "b1", "text": "Read more"}
        ],
    }


class SampleBot:
    """The sample bot at the end of ``day``; ``execute`` answers one GraphQL request."""

    def __init__(self, day: dt.date, export_url: Callable[[str], str] | None = None) -> None:
        self.day, self.export_url = day, export_url
        self.names = [n for n in dict.fromkeys(attribute_names()) if n.strip()]
        self.tasks: dict[str, int] = {}  # export task id -> polls so far
        self._ids = itertools.count(1)
        self._reached: dict[str, int] = {}
        self._audiences: dict[str, list[tuple[str, dict[str, str]]]] = {}

    @functools.cached_property
    def contacts(self) -> list[tuple[str, dict[str, str]]]:
        """(id, attribute name -> value) per subscriber, as the export holds them."""
        rows, names = [], attribute_names()
        for user in range(USERS):
            row = sample_row(user, self.day, names)
            system = dict(zip(SYSTEM_HEADERS[1:], row[1:6], strict=True))
            custom = {n: v for n, v in zip(names, row[6:], strict=True) if n and v}
            rows.append((row[0], {**system, **custom}))
        return rows

    def execute(self, payload: dict[str, Any]) -> dict[str, Any]:
        """The JSON body Chatfuel would answer ``payload`` (query, variables, operationName)."""
        result = graphql.graphql_sync(
            _schema(),
            payload["query"],
            root_value=self._root(),
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        return result.formatted

    def _root(self) -> dict[str, Any]:
        return {
            "bot": lambda info, id: self._bot(id),
            "getTask": lambda info, id: self._task(id, poll=True),
            "csvContactExportStartBySegment": lambda info, **args: self._start_export(),
        }

    def _bot(self, bot_id: str) -> dict[str, Any]:
        return {
            "id": bot_id,
            "title": "Sample newsroom bot",
            "timezone": "UTC",
            "botAttributes": self._attributes,
            "contactsConnection": self._contacts,
            "contactsTotalCount": lambda info, platforms, segment=None: len(self._chosen(segment)),
            "flowGroups": lambda info: self._flows["flowGroups"],
            "flowsWithoutGroup": lambda info: self._flows["flowsWithoutGroup"],
        }

    def _attributes(
        self, info: Any, first: int | None = None, after: str | None = None, **_: Any
    ) -> dict[str, Any]:
        nodes = [
            {
                "botAttribute": {
                    "name": n,
                    "type": "system" if n in SYSTEM_NAMES else "custom",
                    "dataType": "string",
                },
                "usersCount": None,
                "flowsCount": 0,
            }
            for n in SYSTEM_NAMES + self.names
        ]
        return _page(nodes, first, after)

    def _contacts(
        self,
        info: Any,
        platforms: list[str],
        first: int,
        after: str | None = None,
        segment: dict | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        if first > MAX_PAGE:
            raise _error("ContactSearchSizeInvalid", f"first must be at most {MAX_PAGE}")
        page = _page(self._chosen(segment), first, after)
        for edge in page["edges"]:
            edge["node"] = self._contact(*edge["node"])
        return page

    def _chosen(self, segment: dict | None) -> list[tuple[str, dict[str, str]]]:
        """The contacts ``segment`` selects (the same audience is asked for page after page)."""
        key = json.dumps(segment, sort_keys=True)
        if key not in self._audiences:
            self._audiences[key] = [(i, v) for i, v in self.contacts if _matches(v, segment)]
        return self._audiences[key]

    def _contact(self, contact_id: str, values: dict[str, str]) -> dict[str, Any]:
        def attributes(info: Any, names: list[str] | None = None) -> list[dict[str, Any]]:
            if names is not None and len(names) > MAX_NAMES:
                raise _error("TooManyAttributeNames", f"at most {MAX_NAMES} attribute names")
            wanted = values.keys() if names is None else [n for n in names if n in values]
            return [
                {
                    "id": f"{contact_id}:{n}",
                    "attr": {"name": n, "type": "custom", "dataType": "string"},
                    "value": _value(n, values[n]),
                }
                for n in wanted
            ]

        name = f"{values.get('first name', '')} {values.get('last name', '')}".strip()
        return {
            "__typename": "WhatsappContact",
            "id": contact_id,
            "name": name,
            "updatedAt": f"{self.day}T12:00:00Z",
            "phone": "",
            "attributes": attributes,
        }

    @functools.cached_property
    def _flows(self) -> dict[str, Any]:
        mondays = []
        monday = FIRST_MONDAY
        while monday <= self.day + dt.timedelta(days=7):
            mondays.append(monday)
            monday += dt.timedelta(days=7)
        flows = [self._flow(week, m) for week, m in enumerate(mondays)]
        welcome = {
            "__typename": "RegularFlow",
            "id": "flow-welcome",
            "name": "Welcome",
            "platform": "whatsapp",
            "createdAt": "2025-01-01T00:00:00Z",
            "blocks": [
                {
                    "__typename": "RegularContentBlock",
                    "id": "b-welcome",
                    "name": "Hello",
                    "createdAt": "2025-01-01T00:00:00Z",
                    "blockElements": [],
                }
            ],
        }
        return {
            "flowGroups": [{"id": "group-digest", "name": "Weekly digest", "flows": flows[::2]}],
            "flowsWithoutGroup": [*flows[1::2], welcome],
        }

    def _segments_of(self, monday: dt.date) -> dict[str, Any]:
        """The audience of the broadcast of ``monday``."""
        return _segments(monday)[(monday - FIRST_MONDAY).days // 7 % 3]

    def _flow(self, week: int, monday: dt.date) -> dict[str, Any]:
        segment = self._segments_of(monday)
        scheduled = week % 2 == 0
        sent = monday <= self.day
        entry: dict[str, Any] = {
            "id": f"el-entry-{monday:%Y%m%d}",
            "segment": segment,
            "status": "Finished" if sent else "Live",
        }
        if scheduled:
            entry |= {
                "__typename": "WhatsAppScheduledMessageBlockElement",
                "firstSendTime": f"{monday}T15:00:00Z",
                "repeatType": "Never",
            }
            kind = "WhatsAppScheduledMessageBlock"
        else:
            entry |= {
                "__typename": "WhatsAppOneTimeNotificationBlockElement",
                "status": "Finished" if sent else "Draft",
                "sentToContactsCount": self._reach(segment) if sent else None,
            }
            kind = "WhatsAppOneTimeNotificationBlock"
        created = f"{monday - dt.timedelta(days=3)}T10:00:00Z"
        template = {
            "__typename": "WhatsAppTemplateBlockElement",
            "id": f"el-tpl-{monday:%Y%m%d}",
            "waitForReplies": False,
            "whatsAppTemplate": _template(monday),
        }
        return {
            "__typename": "RegularFlow",
            "id": f"flow-{monday:%Y%m%d}",
            "name": f"Weekly digest {monday}",
            "platform": "whatsapp",
            "createdAt": created,
            "blocks": [
                {
                    "__typename": kind,
                    "id": f"b-entry-{monday:%Y%m%d}",
                    "name": "Send",
                    "createdAt": created,
                    "isEntryPointEnabled": True,
                    "blockElements": [entry],
                },
                {
                    "__typename": "WhatsAppTemplateBlock",
                    "id": f"b-tpl-{monday:%Y%m%d}",
                    "name": "Message",
                    "createdAt": created,
                    "blockElements": [template],
                },
            ],
        }

    def _reach(self, segment: dict[str, Any]) -> int:
        if segment["id"] not in self._reached:
            self._reached[segment["id"]] = len(self._chosen(segment_input(segment)))
        return self._reached[segment["id"]]

    def _start_export(self) -> dict[str, Any]:
        task_id = f"task-{next(self._ids)}"
        self.tasks[task_id] = 0
        return self._task(task_id, poll=False)

    def _task(self, task_id: str, poll: bool) -> dict[str, Any]:
        if task_id not in self.tasks:
            raise _error("CSVContactExportDoesNotExist", f"no export task {task_id}")
        self.tasks[task_id] += poll
        started = f"{self.day}T00:30:00Z"
        statuses = [{"startedAt": started, "type": "Created"}]
        file = None
        if self.tasks[task_id] >= 1:
            statuses.append({"startedAt": f"{self.day}T00:30:01Z", "type": "InProgress"})
        if self.tasks[task_id] >= 3:
            done = "Finished" if self.export_url else "Failed"
            statuses.append({"startedAt": f"{self.day}T00:30:05Z", "type": done})
            if self.export_url:
                file = {"id": task_id, "url": self.export_url(task_id), "status": "Ready"}
        return {
            "id": task_id,
            "statuses": statuses,
            "completedPoints": 0,
            "totalPoints": 0,
            "deadline": "2999-01-01T00:00:00Z",
            "data": {"__typename": "CSVContactsExport", "id": task_id, "file": file},
        }
