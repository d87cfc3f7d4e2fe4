"""rare_collections: the garbage collector's thresholds during bulk writes, and after."""

from __future__ import annotations

import gc
import threading

from collector_tui.services.bulk import BULK_GC_THRESHOLD, rare_collections


def test_bulk_writes_collect_rarely_and_leave_the_thresholds_as_they_were() -> None:
    usual = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold() == BULK_GC_THRESHOLD
        with rare_collections():  # an import inside the demo build
            assert gc.get_threshold() == BULK_GC_THRESHOLD
        assert gc.get_threshold() == BULK_GC_THRESHOLD
    assert gc.get_threshold() == usual


def test_overlapping_bulk_writes_in_threads_restore_the_thresholds_once_both_end() -> None:
    usual = gc.get_threshold()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with rare_collections():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with rare_collections():
        pass
    second_done.set()
    thread.join(5)
    assert seen == [BULK_GC_THRESHOLD]  # the second ending left the first's setting alone
    assert gc.get_threshold() == usual
