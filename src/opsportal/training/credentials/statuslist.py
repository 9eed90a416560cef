"""W3C Bitstring Status List: the bits, their encoding, and where a new entry goes.

Pure functions; the service reads which entries are set from the database.
"""

from __future__ import annotations

import base64
import gzip
import secrets
from collections.abc import Collection, Iterable

# The specification's minimum (16 KiB): a list this long hides which of many
# credentials a verifier is checking ("herd privacy").
LIST_BITS = 131_072
# New entries go to a fresh list once this many bits of the current one are
# taken, so a random free index is found in a few draws.
FILL_LIMIT = LIST_BITS * 3 // 4


def encode(set_indexes: Iterable[int], size: int = LIST_BITS) -> str:
    """The `encodedList`: multibase base64url (prefix "u", no padding) of the GZIP'd bitstring.

    Index 0 is the left-most (most significant) bit of the first byte.
    """
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode to the same text.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def place_for(*, last_list_id: int | None, used_in_last: int) -> int:
    """The list a new entry joins: the latest until it is full enough, then the next."""
    if last_list_id is None:
        return 1
    return last_list_id if used_in_last < FILL_LIMIT else last_list_id + 1


def random_free_index(used: Collection[int], size: int = LIST_BITS) -> int:
    """A random index not in `used` (random, so neighbouring bits say nothing of issue order)."""
    if len(used) >= size:
        raise ValueError("the status list is full")
    while True:
        index = secrets.randbelow(size)
        if index not in used:
            return index
