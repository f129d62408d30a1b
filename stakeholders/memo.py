"""Costly reads kept in this process until the workspace's data changes.

At 20,000 people the map reads some 95,000 ties and four 20,000-row tables on
every request, and Seats and influence works out everyone's reach: a few hundred
milliseconds each time, for data that changes only when someone edits it. What
they read is kept here, keyed by the workspace's data stamp
(Workspace.data_stamp, given a new value by services.data_stamp_move). A page
asked for again, or with other map filters, then skips the reads; the first
request after a change reads afresh.

The stamp moves once a change commits (services.workspace_data_changed). Inside
a transaction that has changed the workspace's data and not yet committed,
nothing is read from or put in the memo: those reads see data no one else can
yet, and would be kept under the old stamp.

Each key also names whatever else the value depends on (the score run, the day);
a stored score run never changes. The stamp is read from the database every time
(one small query), so a workspace object held in memory across a change is never
trusted. Values are shared between requests and threads: callers must not change
them. At most ENTRIES values are kept per process, the least recently used going
first, and a workspace's values under an older stamp go as soon as a newer one is
seen: an erased person's name does not outlive the next read.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.db import transaction

from stakeholders.models import Workspace

ENTRIES = 8
# services.workspace_data_changed tags its on-commit stamp move with the workspace id.
CHANGED_TAG = "data_stamp_workspace_id"

_lock = threading.Lock()
_kept: OrderedDict[tuple, object] = OrderedDict()


def changed_here(workspace_id: int) -> bool:
    """Whether the current transaction changed the workspace's data (its stamp moves
    when it commits)."""
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        getattr(func, CHANGED_TAG, None) == workspace_id for _, func, _ in connection.run_on_commit
    )


def kept[T](workspace_id: int, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """compute() for the workspace's data as it is now, kept until that data changes.

    `key`: what else the value depends on, beginning with a name for the kind of
    value. A change committed while compute() runs leaves the value under the
    stamp read before it, which no request reads once the stamp has moved on.
    """
    if changed_here(workspace_id):
        return compute()
    stamp = Workspace.objects.filter(pk=workspace_id).values_list("data_stamp", flat=True).first()
    whole = (workspace_id, stamp, *key)
    with _lock:
        if whole in _kept:
            _kept.move_to_end(whole)
            return _kept[whole]  # type: ignore[return-value]
    value = compute()
    if stamp is not None:  # a workspace deleted meanwhile: nothing to keep
        with _lock:
            for old in [k for k in _kept if k[0] == workspace_id and k[1] != stamp]:
                del _kept[old]
            _kept[whole] = value
            _kept.move_to_end(whole)
            while len(_kept) > ENTRIES:
                _kept.popitem(last=False)
    return value
