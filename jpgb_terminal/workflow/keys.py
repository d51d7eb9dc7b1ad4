"""The station's key file: make the first one and seal every stored personal field with it."""

from __future__ import annotations

from pathlib import Path

from jpgb_terminal.privacy.crypto import cipher_reading, init_key_file
from jpgb_terminal.privacy.keyring import reseal_all
from jpgb_terminal.store import Store


def seal_with_new_key(store: Store, path: Path, previous: Path | None) -> int:
    """Create the key file `path` and re-seal every sealed field with it; how many changed.

    Values sealed with `previous` (the key an earlier command made) move to the new key.
    """
    init_key_file(path)
    with store.transaction() as session:
        return reseal_all(session, cipher_reading(path, previous))
