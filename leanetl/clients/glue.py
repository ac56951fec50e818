"""AWS Glue Data Catalog through boto3: a database and its tables (no Dagster)."""

from typing import Any

import boto3


class GlueCatalog:
    def __init__(self, region: str, endpoint_url: str = "") -> None:
        self._client = boto3.client("glue", region_name=region, endpoint_url=endpoint_url or None)

    def ensure_database(self, name: str) -> None:
        try:
            self._client.get_database(Name=name)
        except self._client.exceptions.EntityNotFoundException:
            self._client.create_database(DatabaseInput={"Name": name})

    def columns(self, database: str, table: str) -> dict[str, str] | None:
        """The table's columns (name → type), or None when there is no such table."""
        try:
            found = self._client.get_table(DatabaseName=database, Name=table)["Table"]
        except self._client.exceptions.EntityNotFoundException:
            return None
        return {c["Name"]: c["Type"] for c in found["StorageDescriptor"]["Columns"]}

    def put_table(self, database: str, table_input: dict[str, Any], exists: bool) -> None:
        if exists:
            self._client.update_table(DatabaseName=database, TableInput=table_input)
        else:
            self._client.create_table(DatabaseName=database, TableInput=table_input)

    def table(self, database: str, table: str) -> dict[str, Any]:
        return self._client.get_table(DatabaseName=database, Name=table)["Table"]
