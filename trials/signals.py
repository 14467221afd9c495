"""Signals other apps listen to, so `trials` never imports them.

`trials_stored` is sent after a batch of trials has been committed (an import
page, a sync page, a bulk batch), with `nct_ids`: the trials whose current
record is new or changed. The finder's search index and the freshness checks
use it to stay current without the registry code knowing about them.
"""

from django.dispatch import Signal

trials_stored = Signal()
