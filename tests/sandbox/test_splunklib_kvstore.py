"""The KV store through splunklib's service.kvstore: collections and MongoDB-style queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import splunklib.binding as binding
import splunklib.client as client


@pytest.fixture(scope="module")
def kv(connect: Callable[..., client.Service]) -> client.Service:
    # service.kvstore pins the namespace owner to "nobody": keep it off the shared service.
    return connect()


@pytest.fixture
def scratch(kv: client.Service) -> Iterator[client.KVStoreCollection]:
    kv.kvstore.create("sbx_scratch", fields={"name": "string", "age": "number"})
    collection = kv.kvstore["sbx_scratch"]
    collection.data.batch_save(
        {"name": "alice", "age": 34, "team": "red"},
        {"name": "bob", "age": 27, "team": "blue"},
        {"name": "carol", "age": 41, "team": "red"},
        {"name": "dave", "age": 19, "team": "green"},
    )
    yield collection
    kv.kvstore.delete("sbx_scratch")


def test_assets_collection_is_listed_with_its_fields(kv: client.Service) -> None:
    names = {c.name for c in kv.kvstore.list()}
    assert "assets" in names
    assets = kv.kvstore["assets"]
    assert assets.access.app == "search"
    assert assets["field.host"] == "string"
    assert assets["accelerated_fields.host"] == {"host": 1}
    docs = assets.data.query()
    assert len(docs) == 12 and all(d["_key"] and d["_user"] == "nobody" for d in docs)


def test_query_operators(scratch: client.KVStoreCollection) -> None:
    def names(**query: object) -> list[str]:
        return sorted(d["name"] for d in scratch.data.query(**query))

    assert names(query={"team": "red"}) == ["alice", "carol"]
    assert names(query={"age": {"$gt": 30}}) == ["alice", "carol"]
    assert names(query={"age": {"$gte": 27, "$lt": 41}}) == ["alice", "bob"]
    assert names(query={"age": {"$lte": 19}}) == ["dave"]
    assert names(query={"team": {"$ne": "red"}}) == ["bob", "dave"]
    assert names(query={"team": {"$in": ["blue", "green"]}}) == ["bob", "dave"]
    assert names(query={"team": {"$nin": ["blue", "green"]}}) == ["alice", "carol"]
    assert names(query={"$or": [{"name": "bob"}, {"age": {"$gt": 40}}]}) == ["bob", "carol"]
    assert names(query={"$and": [{"team": "red"}, {"age": {"$lt": 40}}]}) == ["alice"]
    assert names(query={"name": {"$regex": "^[ab]"}}) == ["alice", "bob"]


def test_sort_limit_skip_and_fields(scratch: client.KVStoreCollection) -> None:
    ordered = scratch.data.query(sort="age:-1", fields="name,age,_id:0")
    assert [d["name"] for d in ordered] == ["carol", "alice", "bob", "dave"]
    assert set(ordered[0]) == {"name", "age"}
    page = scratch.data.query(sort="name:1", skip=1, limit=2)
    assert [d["name"] for d in page] == ["bob", "carol"]
    by_team = scratch.data.query(sort="team:1,age:1", fields="name")
    assert [d["name"] for d in by_team] == ["bob", "dave", "alice", "carol"]
    assert set(by_team[0]) == {"name", "_key"}


def test_insert_get_update_delete_by_key(scratch: client.KVStoreCollection) -> None:
    key = scratch.data.insert({"name": "erin", "age": 50})["_key"]
    assert scratch.data.query_by_id(key)["name"] == "erin"
    scratch.data.update(key, {"name": "erin", "age": 51})
    assert scratch.data.query_by_id(key)["age"] == 51
    scratch.data.delete_by_id(key)
    with pytest.raises(binding.HTTPError) as err:
        scratch.data.query_by_id(key)
    assert err.value.status == 404


def test_batch_find_and_delete_by_query(scratch: client.KVStoreCollection) -> None:
    found = scratch.data.batch_find({"query": {"team": "red"}}, {"query": {"age": {"$lt": 20}}})
    assert [sorted(d["name"] for d in group) for group in found] == [["alice", "carol"], ["dave"]]
    scratch.data.delete(query='{"team": "red"}')
    assert sorted(d["name"] for d in scratch.data.query()) == ["bob", "dave"]
    scratch.data.delete()
    assert scratch.data.query() == []


def test_duplicate_collection_is_409(kv: client.Service, scratch: client.KVStoreCollection) -> None:
    with pytest.raises(binding.HTTPError) as err:
        kv.kvstore.create("sbx_scratch")
    assert err.value.status == 409
