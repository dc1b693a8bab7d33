"""Re-evaluating only the channels a save touched gives exactly a full evaluation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory import records
from inventory.rules.evaluate import evaluate_rules
from inventory.rules.waivers import waive
from inventory.store import open_store
from tests.conftest import copy_database

pytestmark = pytest.mark.usefixtures("rules_in_process")  # what the rules flag, not the child

AS_OF = date(2026, 11, 26)

edits = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["planned", "active", "dormant", "retired"]),
        "owner": st.sampled_from(
            [None, "giulia.rossi@acme.example", "laura.neri@buzzguru.example"]
        ),
        "weekly_hours": st.sampled_from([None, 0, 2]),
        "last_post_on": st.sampled_from([None, date(2026, 1, 1), date(2026, 11, 20)]),
        "credentials_holder": st.sampled_from(["in_house", "consultant", "unknown"]),
        "policy": st.sampled_from([None, "2026.1", "2026.2-draft"]),
        "goals": st.sampled_from([[], ["sales_roi"], ["relationship"]]),
        "handle": st.sampled_from(["@renamed", "@other"]),
        "consultants": st.sampled_from(
            [[], [{"consultant": "BuzzGuru Srl", "role": "full_management"}]]
        ),
    },
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(index=st.integers(0, 52), change=edits, waive_it=st.booleans())
def test_incremental_equals_full(
    tmp_path_factory, sample_template, index, change, waive_it
) -> None:
    db = copy_database(sample_template, tmp_path_factory.mktemp("inc") / "sample.db")
    with open_store(db) as store:
        previous = evaluate_rules(store, AS_OF)
        channel = records.list_channels(store)[index]
        values = {**channel.model_dump(), **change}
        # a new owner who was an admin is one no longer (a channel lists nobody twice)
        values["admins"] = [a for a in values["admins"] if a != values["owner"]]
        edited = channel.model_validate(values)
        if records.get_record(store, "channel", edited.key) and edited.key != channel.key:
            return
        if waive_it and previous.flags:  # before the edit: a waiver names a subject that exists
            flag = previous.flags[0]
            waive(store, flag.rule, flag.subject_id, "test", None, "tester", AS_OF)
        records.save_record(store, "channel", edited, original_key=channel.key)
        incremental = evaluate_rules(
            store, AS_OF, previous=previous, changed_channels={channel.key, edited.key}
        )
        full = evaluate_rules(store, AS_OF)
    assert incremental.flags == full.flags
    assert incremental.broken_rules == full.broken_rules
    assert incremental.checked == full.checked


def test_incremental_drops_a_deleted_channels_flags(sample_db: Path) -> None:
    with open_store(sample_db) as store:
        previous = evaluate_rules(store, AS_OF)
        assert any(f.subject_id == "facebook/AcmeBologna" for f in previous.flags)
        records.delete_record(store, "channel", "facebook/AcmeBologna")
        incremental = evaluate_rules(
            store, AS_OF, previous=previous, changed_channels={"facebook/AcmeBologna"}
        )
        assert incremental.flags == evaluate_rules(store, AS_OF).flags
    assert not any(f.subject_id == "facebook/AcmeBologna" for f in incremental.flags)
