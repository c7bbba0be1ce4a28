"""A request the visitor got wrong is a 4xx, not a server error.

Datasette 0.65 raises its generic error, status 500, for a ``_sort`` or ``_sort_desc`` naming a
column that cannot be sorted on. Monitoring counts 500s as outages, and a researcher reading
"500" blames the site; the message itself is right, so only the status changes.
"""

from __future__ import annotations

from datasette.views.base import DatasetteError

from datasette import hookimpl

_VISITOR_ERRORS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time")


@hookimpl(tryfirst=True)
def handle_exception(exception: BaseException) -> None:
    if (isinstance(exception, DatasetteError) and exception.status == 500
            and str(exception.message).startswith(_VISITOR_ERRORS)):
        exception.status = 400
    # None: Datasette's own handler renders the page (HTML or JSON) with the status set here.
