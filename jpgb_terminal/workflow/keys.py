"""The station's key file: make the first one and seal every stored personal field with it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import Cipher, cipher_reading, init_key_file
from jpgb_terminal.privacy.keyring import reseal_all, reseal_store
from jpgb_terminal.store import Store


def seal_with_new_key(store: Store, path: Path, previous: Path | None) -> int:
    """Create the key file `path` and re-seal every sealed field with it; how many changed.

    Values sealed with `previous` (the key an earlier command made) move to the new key.
    """
    init_key_file(path)
    with store.transaction() as session:
        return reseal_all(session, cipher_reading(path, previous))


def seal_left_in_clear(store: Store, key_file: Path | None) -> Counter[str]:
    """Seal with the station's current key (made first when there is none) every personal
    value this bench's store still holds in clear or under a retired key, in short batches;
    returns the rows changed by table.

    An older program stored customer names and phones in clear: after `jpgb db upgrade` they
    are sealed like every other personal field, so no bench's store keeps them readable.
    """
    if crypto.configure_or_create(key_file, store) is None:
        return Counter()

    def cipher() -> Cipher:
        found = crypto.current()
        if found is None:  # configured just above
            raise crypto.KeyFileError("no key file is configured")
        return found

    return reseal_store(store, cipher)
