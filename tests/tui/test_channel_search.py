"""The channel filter's search table stays equal to the records through every kind of edit.

The filter searches one lower-cased text per channel kept in a TEMP table; these tests
edit channels, people and departments (and undo, and write from a second connection) and
compare what the filter finds with a plain Python search of the records.
"""

from __future__ import annotations

from inventory import records, undo
from inventory.listing import ROLE_SHOWN, ChannelQuery, count_channels, page_channels
from inventory.models import Channel, Department, Person
from inventory.store import open_store


def expected(store, word: str) -> set[str]:
    """The channels the filter should show for `word`, computed from the records: every
    text column the list shows (the consultants' roles as shown, "full mgmt")."""
    people = {p.email.lower(): p for p in records.list_people(store)}
    policies = {p.version: p for p in records.list_records(store, "policy")}
    word = word.strip().lower()
    found = set()
    for channel in records.list_channels(store):
        owner = people.get((channel.owner or "").lower())
        texts = [channel.handle, channel.name, channel.platform, *channel.linked_departments]
        if owner is not None:
            texts += [owner.email, owner.name]
        texts.append(channel.reporting_department or "")
        texts += [f"{c.consultant} {ROLE_SHOWN.get(c.role, c.role)}" for c in channel.consultants]
        policy = policies.get(channel.policy or "")
        if policy is not None:
            status = policy.status
            texts.append(policy.version + ("" if status == "approved" else f" {status}"))
        texts += [channel.last_post_on or "", channel.status]
        if any(word in str(text).lower() for text in texts):
            found.add(f"{channel.platform}/{channel.handle}")
    return found


def listed(store, word: str) -> set[str]:
    query = ChannelQuery(text=word)
    count = count_channels(store.conn, query)
    keys = {row.key for row in page_channels(store.conn, query, 0, 1000)}
    assert count == len(keys)
    return keys


def check(store, *words: str) -> None:
    for word in words:
        assert listed(store, word) == expected(store, word), word


def channel(store, key: str) -> Channel:
    loaded = records.get_record(store, "channel", key)
    assert loaded is not None
    return loaded.record  # type: ignore[return-value]


def rename_channel(store, key: str, name: str) -> None:
    """Saved as a form would save it: the channel's current revision expected."""
    loaded = records.get_record(store, "channel", key)
    assert loaded is not None
    records.save_record(
        store, "channel", loaded.record.model_copy(update={"name": name}),
        original_key=key, expected_revision=loaded.revision,
    )  # fmt: skip


def test_filter_matches_the_records_after_every_kind_of_edit(sample_store):
    store = sample_store
    check(store, "acme", "kids", "buzzguru", "marketing", "instagram", "zzz")
    check(store, "full mgmt", "draft", "retired", "2024-", "advisory")

    # a channel renamed, its name and links changed
    kids = channel(store, "instagram/@acme_kids")
    loaded = records.get_record(store, "channel", "instagram/@acme_kids")
    changed = kids.model_copy(
        update={"handle": "@acme_bambini", "name": "Bambini Zebra", "linked_departments": []}
    )
    records.save_record(
        store, "channel", changed, original_key="instagram/@acme_kids",
        expected_revision=loaded.revision,
    )  # fmt: skip
    assert listed(store, "zebra") == {"instagram/@acme_bambini"}
    assert "instagram/@acme_kids" not in listed(store, "@acme_kids")
    check(store, "kids", "bambini", "marketing")

    # the owner renamed: every channel they own is found by the new name
    owner = changed.owner
    person = records.get_record(store, "person", owner)
    renamed = person.record.model_copy(update={"name": "Quirino Quokka"})
    records.save_record(
        store, "person", renamed, original_key=owner, expected_revision=person.revision
    )
    assert listed(store, "quokka") == expected(store, "quokka") != set()

    # a department renamed: channels reporting to it and linked to it
    department = next(d for d in records.list_records(store, "department") if d.name == "Marketing")
    loaded_department = records.get_record(store, "department", department.name)
    records.save_record(
        store, "department", department.model_copy(update={"name": "Ufficio Xilofono"}),
        original_key=department.name, expected_revision=loaded_department.revision,
    )  # fmt: skip
    assert listed(store, "xilofono") == expected(store, "xilofono") != set()

    # a consultant renamed, a policy's version changed, a channel's consultants changed
    buzz = records.get_record(store, "consultant", "BuzzGuru Srl")
    records.save_record(
        store, "consultant", buzz.record.model_copy(update={"name": "Ronzio Agenzia"}),
        original_key="BuzzGuru Srl", expected_revision=buzz.revision,
    )  # fmt: skip
    assert listed(store, "ronzio") == expected(store, "ronzio") != set()
    assert listed(store, "buzzguru srl") == set()
    draft = next(p for p in records.list_records(store, "policy") if p.status == "draft")
    loaded_policy = records.get_record(store, "policy", draft.version)
    records.save_record(
        store, "policy", draft.model_copy(update={"version": "2027.9", "status": "approved"}),
        original_key=draft.version, expected_revision=loaded_policy.revision,
    )  # fmt: skip
    assert listed(store, "2027.9") == expected(store, "2027.9") != set()
    check(store, "draft")
    loaded = records.get_record(store, "channel", "instagram/@acme_bambini")
    records.save_record(
        store, "channel", loaded.record.model_copy(update={"consultants": []}),
        original_key="instagram/@acme_bambini", expected_revision=loaded.revision,
    )  # fmt: skip
    check(store, "ronzio", "full mgmt", "content")

    # a new channel, then deleted
    new = Channel.model_validate(
        {"platform": "mastodon", "handle": "@nuovo", "name": "Canale Yak",
         "status": "active", "credentials_holder": "in_house"}
    )  # fmt: skip
    records.save_record(store, "channel", new)
    assert listed(store, "yak") == {"mastodon/@nuovo"}
    records.delete_record(store, "channel", "mastodon/@nuovo")
    assert listed(store, "yak") == set()

    # undo puts the department's old name back
    while undo.undo_last(store) is not None and "xilofono" in {
        d.name.lower() for d in records.list_records(store, "department")
    }:
        pass
    check(store, "xilofono", "quokka", "zebra", "marketing", "acme", "ronzio", "buzzguru")


def test_a_change_from_another_connection_is_seen(sample_store):
    store = sample_store
    check(store, "walrus")
    other = open_store(store.path, source="ui")
    try:
        other.user = "bob"
        rename_channel(other, "instagram/@acme_kids", "Walrus Kids")
        person = Person(email="walrus@acme.example", name="Wally Walrus", employment="employee")
        records.save_record(other, "person", person)
        records.save_record(
            other, "department",
            Department(name="Walrus Unit", function="marketing", social_access="open"),
        )  # fmt: skip
    finally:
        other.close()
    assert listed(store, "walrus") == {"instagram/@acme_kids"}
    check(store, "walrus", "kids")


def test_filter_folds_non_ascii_capitals(sample_store):
    store = sample_store
    rename_channel(store, "instagram/@acme_kids", "ÉCOLE ÀNIMA")
    assert listed(store, "école") == {"instagram/@acme_kids"}
    assert listed(store, "ÀNIMA") == {"instagram/@acme_kids"}


def test_each_key_typed_finds_what_a_search_afresh_finds(sample_store):
    """The matches of one text are kept for the next key (a longer text narrows them): a
    text that extends the previous one, and a save in between, find what a new search finds."""
    store = sample_store
    for word in ("a", "ac", "acm", "acme", "acme ", "acme k", "acme kx"):
        check(store, word)
    assert listed(store, "zeb") == set()
    rename_channel(store, "instagram/@acme_kids", "Zebra Kids")
    # without the save, "zebr" would narrow the (empty) matches of "zeb"
    assert listed(store, "zebr") == {"instagram/@acme_kids"}
    check(store, "zebra", "zebra k", "zebra", "ze")


def test_the_search_table_built_in_steps_matches_the_records(sample_store, monkeypatch):
    """The UI builds the search table a step at a time after its first flags, keys handled
    in between: saves between steps, a search before the last step (which builds it whole)
    and a commit from another connection all end with what a search afresh finds."""
    from inventory import listing

    store = sample_store
    monkeypatch.setattr(listing, "SEARCH_STEP_CHANNELS", 5)
    keys = [key for (key,) in store.conn.execute("SELECT platform || '/' || handle FROM channels")]
    last = store.conn.execute("SELECT max(id) FROM channels").fetchone()[0]
    assert last > 20  # several steps

    steps = listing.search_steps(store.conn)
    next(steps)
    rename_channel(store, keys[0], "Yak One")  # its step is done
    rename_channel(store, keys[-1], "Yak Two")  # its step is still to come
    assert list(steps) == [None] * (last // 5 - 1)
    check(store, "yak", "acme", "active")

    rename_channel(store, keys[1], "Yak Three")
    other = open_store(store.path, source="ui")
    try:
        rename_channel(other, keys[2], "Yak Four")
    finally:
        other.close()
    steps = listing.search_steps(store.conn)  # rebuilt: another connection committed
    next(steps)
    assert len(listed(store, "yak")) == 4  # a search before the last step: built whole
    assert list(steps) == []
    check(store, "yak", "acme", "four")
