"""Card deliveries recorded from several threads at once (the notifier and inline answers)."""

from __future__ import annotations

import threading

from engine import Database, utcnow
from engine.deliveries import CardDeliveries


def test_concurrent_records_neither_deadlock_nor_duplicate(db: Database) -> None:
    deliveries = CardDeliveries(db)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        for i in range(25):
            for version in (1, 2):  # first an insert, then an update of the same delivery
                try:
                    deliveries.record(
                        card_id=f"task-{i}",
                        channel="dingtalk" if n % 2 else "sandbox",
                        recipient=f"user{n % 3}",
                        payload={"version": version},
                        now=utcnow(),
                        handle=f"h{version}",
                    )
                except BaseException as exc:  # collected: a thread's failure must fail the test
                    errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = [d for i in range(25) for d in deliveries.of_card(f"task-{i}")]
    assert len(rows) == 25 * 6 and {d.handle for d in rows} == {"h2"}


def test_an_update_without_a_handle_keeps_the_one_recorded(db: Database) -> None:
    deliveries = CardDeliveries(db)
    first = deliveries.record(
        card_id="c", channel="wecom", recipient="u", payload={"v": 1}, now=utcnow(), handle="code-1"
    )
    again = deliveries.record(card_id="c", channel="wecom", recipient="u", payload={"v": 2}, now=utcnow())
    assert (first, again) == (True, False)
    got = deliveries.get("c", "wecom", "u")
    assert got is not None and (got.handle, got.payload) == ("code-1", {"v": 2})
    assert deliveries.get("c", "wecom", "someone-else") is None
