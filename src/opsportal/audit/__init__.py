"""The audit trail: `record()` is called inside each change's own transaction.

So a change without its audit row cannot exist, and a change that is rolled
back leaves none. Other domains write to it; none reads it to decide anything.
"""

from opsportal.audit.service import changes, record, record_changes

__all__ = ["changes", "record", "record_changes"]
