"""The GraphQL operations leanetl sends to Chatfuel, written from the names in Chatfuel's public
schema (``chatfuel.graphql`` beside this file is the part leanetl uses; the tests validate every
operation here against it), and what their answers become."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).with_name("chatfuel.graphql")

ATTRIBUTES = """
query LeanetlAttributes($botID: BotID!, $platforms: [Platform!]!, $first: Int, $after: BotAttributeCursor) {
  bot(id: $botID) {
    botAttributes(locale: En, platforms: $platforms, attributeTypes: [system, custom], filters: [],
                  orderBy: {orderBy: AttributeName, direction: Asc}, first: $first, after: $after) {
      edges { node { botAttribute { name type dataType } usersCount } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

CONTACTS = """
query LeanetlContacts($botID: BotID!, $platforms: [Platform!]!, $first: Int!, $after: ContactSearchCursor,
                      $segment: SegmentInput, $attrNames: [AttributeName!]) {
  bot(id: $botID) {
    contactsConnection(platforms: $platforms, first: $first, after: $after, segment: $segment) {
      edges { node { __typename id name
        attributes(names: $attrNames) { attr { name } value {
          __typename
          ... on BotAttributeValueString { stringValue }
          ... on BotAttributeValueLong { longValue }
          ... on BotAttributeValueDouble { doubleValue }
          ... on BotAttributeValueBoolean { booleanValue }
          ... on BotAttributeValueDatetime { datetimeValue } } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

CONTACT_IDS = """
query LeanetlContactIDs($botID: BotID!, $platforms: [Platform!]!, $first: Int!, $after: ContactSearchCursor,
                        $segment: SegmentInput) {
  bot(id: $botID) {
    contactsConnection(platforms: $platforms, first: $first, after: $after, segment: $segment) {
      edges { node { __typename id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

TASK_FIELDS = """
  id deadline statuses { startedAt type }
  data { __typename ... on CSVContactsExport { id file { url status } } }"""

EXPORT_START = (
    """
mutation LeanetlExportStart($botID: BotID!, $platforms: [Platform!]!) {
  csvContactExportStartBySegment(botID: $botID, platforms: $platforms, attributes: []) {"""
    + TASK_FIELDS
    + "\n  }\n}"
)

EXPORT_TASK = (
    "query LeanetlExportTask($id: TaskID!) {\n  getTask(id: $id) {" + TASK_FIELDS + "\n  }\n}"
)

_SEGMENT_FILTER = """id
  byAttribute { attribute { name } defaultStrategy { operator comparableValues } }
  byStoredSegment { operator segmentIDs }"""
_TEXT = """text { __typename ... on WhatsAppTemplateComponentTextPartText { text }
          ... on WhatsAppTemplateComponentTextPartParam { name value { parts { __typename
            ... on TemplateStrText { text } ... on TemplateStrAttribute { attribute { name } } } } } }"""
_FLOW = f"""__typename id name platform createdAt
  blocks {{ __typename id name
    blockElements {{ __typename id
      ... on WhatsAppOneTimeNotificationBlockElement {{ status sentToContactsCount segment {{ ...Audience }} }}
      ... on WhatsAppScheduledMessageBlockElement {{ status firstSendTime repeatType segment {{ ...Audience }} }}
      ... on WhatsAppTemplateBlockElement {{ waitForReplies whatsAppTemplate {{
        templateID name status
        header {{ __typename ... on WhatsAppTemplateComponentText {{ {_TEXT} }}
                 ... on WhatsAppTemplateComponentImage {{ image {{ url }} }} }}
        body {{ __typename ... on WhatsAppTemplateComponentText {{ {_TEXT} }} }}
        footer {{ __typename ... on WhatsAppTemplateComponentText {{ {_TEXT} }} }}
        buttons {{ __typename ... on WhatsAppTemplateURLButton {{ id text }}
                  ... on WhatsAppTemplateQuickReplyButton {{ id text }} }} }} }} }} }}"""

FLOWS = f"""
fragment Audience on Segment {{
  id name resultOperator
  filters {{ {_SEGMENT_FILTER}
    byInFlightSegment {{ id name resultOperator filters {{ {_SEGMENT_FILTER}
      byInFlightSegment {{ id name resultOperator filters {{ {_SEGMENT_FILTER} }} }} }} }} }}
}}
query LeanetlFlows($botID: BotID!) {{
  bot(id: $botID) {{
    flowGroups {{ id name flows {{ {_FLOW} }} }}
    flowsWithoutGroup {{ {_FLOW} }}
  }}
}}"""

OPERATIONS = {
    "LeanetlAttributes": ATTRIBUTES,
    "LeanetlContacts": CONTACTS,
    "LeanetlContactIDs": CONTACT_IDS,
    "LeanetlExportStart": EXPORT_START,
    "LeanetlExportTask": EXPORT_TASK,
    "LeanetlFlows": FLOWS,
}


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str  # system | custom
    data_type: str
    users: int | None


@dataclass(frozen=True)
class ContactRow:
    id: str
    name: str
    values: dict[str, str]  # attribute name -> value as text


def value_text(value: Mapping[str, Any]) -> str:
    """A ``BotAttributeValue`` as the text a contacts export would hold."""
    kind = value.get("__typename", "")
    if kind == "BotAttributeValueBoolean":
        return "true" if value.get("booleanValue") else "false"
    for key in ("stringValue", "longValue", "doubleValue", "datetimeValue"):
        if value.get(key) is not None:
            return str(value[key])
    return ""
