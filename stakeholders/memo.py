"""Costly reads kept in this process until the workspace's data changes.

At 20,000 people the map reads some 95,000 ties and four 20,000-row tables on
every request, and Seats and influence works out everyone's reach: a few hundred
milliseconds each time, for data that changes only when someone edits it. What
they read is kept here, keyed by the workspace's data stamp
(Workspace.data_stamp, given a new value in the same transaction as every change
by services.workspace_data_changed). A page asked for again, or with other map
filters, then skips the reads; the first request after a change reads afresh.

Each key also names whatever else the value depends on (the score run, the day);
a stored score run never changes. The stamp is read from the database every time
(one small query), so a workspace object held in memory across a change is never
trusted. Values are shared between requests and threads: callers must not change
them. At most ENTRIES values are kept per process, the least recently used going
first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from stakeholders.models import Workspace

ENTRIES = 8

_lock = threading.Lock()
_kept: OrderedDict[tuple, object] = OrderedDict()


def kept[T](workspace_id: int, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """compute() for the workspace's data as it is now, kept until that data changes.

    `key`: what else the value depends on, beginning with a name for the kind of
    value. A change committed while compute() runs leaves the value under the
    stamp read before it, which no request reads once the change has committed.
    """
    stamp = Workspace.objects.filter(pk=workspace_id).values_list("data_stamp", flat=True).first()
    whole = (workspace_id, stamp, *key)
    with _lock:
        if whole in _kept:
            _kept.move_to_end(whole)
            return _kept[whole]  # type: ignore[return-value]
    value = compute()
    if stamp is not None:  # a workspace deleted meanwhile: nothing to keep
        with _lock:
            _kept[whole] = value
            _kept.move_to_end(whole)
            while len(_kept) > ENTRIES:
                _kept.popitem(last=False)
    return value
