"""split_at_horizon: what a consumer may apply from a read in which some streams came back full."""

from hypothesis import given
from hypothesis import strategies as st

from grants_shared.delivery.streams import Entry, split_at_horizon

reads = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 500)), unique_by=lambda t: t[1], max_size=40
)


def entries_of(read: list[tuple[str, int]]) -> list[Entry]:
    return [Entry(stream, f"{millis}-0", {}) for stream, millis in read]


@given(held=reads, fresh=reads, batch=st.integers(1, 8))
def test_nothing_is_applied_past_a_stream_that_may_have_more(
    held: list[tuple[str, int]], fresh: list[tuple[str, int]], batch: int
) -> None:
    old, new = entries_of(held), entries_of(fresh)
    ready, later = split_at_horizon(old + new, new, batch)
    assert sorted(e.position for e in ready + later) == sorted(e.position for e in old + new)
    assert [e.position for e in ready] == sorted(e.position for e in ready)
    full = [s for s in "abc" if sum(e.stream == s for e in new) >= batch]
    for stream in full:
        last = max(e.position for e in new if e.stream == stream)
        assert all(e.position <= last for e in ready)
    if not full:
        assert later == []
    if ready and later:
        assert ready[-1].position < later[0].position


def test_a_full_stream_holds_back_what_came_after_its_last_entry() -> None:
    busy = [Entry("tranches", f"{n}-0", {}) for n in (1, 2, 3)]
    sparse = [Entry("payments", f"{n}-0", {}) for n in (2, 40)]
    ready, held = split_at_horizon(busy + sparse, busy + sparse, batch=3)
    assert [e.entry_id for e in ready] == ["1-0", "2-0", "2-0", "3-0"] and [e.entry_id for e in held] == ["40-0"]


@given(held=reads, fresh=reads, batch=st.integers(1, 8), unread=st.lists(st.integers(1, 500), max_size=2))
def test_nothing_is_applied_past_the_last_entry_read_from_a_stream_left_out_of_the_read(
    held: list[tuple[str, int]], fresh: list[tuple[str, int]], batch: int, unread: list[int]
) -> None:
    old, new = entries_of(held), entries_of(fresh)
    ready, later = split_at_horizon(old + new, new, batch, [(millis, 0) for millis in unread])
    assert sorted(e.position for e in ready + later) == sorted(e.position for e in old + new)
    for millis in unread:
        assert all(e.position <= (millis, 0) for e in ready)


def test_a_stream_left_out_of_the_read_holds_back_what_came_after_its_last_entry_read() -> None:
    held = [Entry("payments", f"{n}-0", {}) for n in (5, 9)]
    fresh = [Entry("tranches", f"{n}-0", {}) for n in (1, 6)]  # not full: the tranches stream handed over all
    ready, later = split_at_horizon(held + fresh, fresh, batch=3, unread=[(9, 0)])
    assert [e.entry_id for e in ready] == ["1-0", "5-0", "6-0", "9-0"] and later == []
    ready, later = split_at_horizon(held + fresh, fresh, batch=3, unread=[(5, 0)])
    assert [e.entry_id for e in ready] == ["1-0", "5-0"] and [e.entry_id for e in later] == ["6-0", "9-0"]
