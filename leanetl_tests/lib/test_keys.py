import pytest

from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.campaigns.documents import Campaign, validate_documents
from leanetl.lib.keys import UnsafeKeyError, checked_key, key_segment

HOSTILE = [
    "../../../../X",
    "..",
    ".",
    "a/b",
    "a\\b",
    "it's",
    'say"hi"',
    "nul\x00byte",
    " lead",
    "",
    "ä",
    "a\u200bb",
    "x" * 129,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_not_key_segments(value) -> None:
    with pytest.raises(UnsafeKeyError, match="campaign _id"):
        key_segment(value, "campaign _id")


@pytest.mark.parametrize("value", ["cmp-001", "65f1c2a9e4b0a1b2c3d4e5f6", "A.b_c-9", "7"])
def test_plain_values_are_key_segments(value) -> None:
    assert key_segment(value, "id") == value


@pytest.mark.parametrize(
    "key", ["a/../../etc/passwd", "../x", "a//b", "a/./b", "a/b\x00", "a\\..\\b"]
)
def test_the_object_store_refuses_keys_that_could_leave_its_root(tmp_path, key) -> None:
    store = ObjectStore(url=str(tmp_path / "lake"))
    with pytest.raises(UnsafeKeyError):
        store.put_bytes(key, b"x")
    with pytest.raises(UnsafeKeyError):
        checked_key(key)
    assert not (tmp_path / "etc").exists() and not list(tmp_path.rglob("passwd"))


def test_a_campaign_whose_id_is_a_path_is_quarantined_not_used() -> None:
    from leanetl.lib.campaigns.map_store import map_key

    document = {
        "_id": "../../../../X",
        "name": "Escape",
        "status": "active",
        "start_date": "2025-01-01",
        "goal": 100,
        "raised": 1,
        "facebook": {"ad_account_id": "act_1", "campaign_id": "2"},
    }
    checked = validate_documents([document, {**document, "_id": "cmp-ok"}], Campaign)
    assert [c.id for c in checked.valid] == ["cmp-ok"]
    assert checked.quarantine[0]["_id"] == "../../../../X"
    assert "cannot be part of an object key" in checked.quarantine[0]["reason"]
    assert map_key("cmp-ok") == "reach-maps/cmp-ok/reach_map.html"
    with pytest.raises(UnsafeKeyError):
        map_key("../../../../X")
