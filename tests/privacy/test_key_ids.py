"""Key ids in sealed values, key sets with retired keys, re-reading a changed key file, and
importing another store's key set."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jpgb_terminal.privacy import crypto
from jpgb_terminal.privacy.crypto import (
    LEGACY,
    Cipher,
    KeyFileError,
    MissingKey,
    add_current_key,
    export_keys,
    import_keys,
    init_key_file,
    key_id,
    read_keys,
    sealed_with,
    write_keys,
)

K1, K2, K3 = (Fernet.generate_key() for _ in range(3))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("1-2-3 Ginza", None),
        ("fernet:gAAAAABtoken", LEGACY),
        ("fernet:0a1b2c3d:gAAAAABtoken", "0a1b2c3d"),
    ],
)
def test_the_key_a_stored_value_names(value: str | None, expected: str | None) -> None:
    assert sealed_with(value) == expected


def test_a_value_names_the_key_that_sealed_it_and_opens_with_that_key_only() -> None:
    old = Cipher((K1,))
    sealed = old.seal("Nishi-Shinjuku")
    assert sealed is not None and sealed.startswith(f"fernet:{key_id(K1)}:")
    both = Cipher((K2, K1))
    assert both.current_id == key_id(K2) and both.key_ids == (key_id(K2), key_id(K1))
    assert both.unseal(sealed) == "Nishi-Shinjuku"
    assert sealed_with(both.seal("x")) == key_id(K2)
    with pytest.raises(MissingKey, match=f"sealed with key {key_id(K1)}.*jpgb keys import"):
        Cipher((K3,)).unseal(sealed)


def test_values_from_before_key_ids_still_open_and_reseal_labels_them() -> None:
    legacy = "fernet:" + Fernet(K1).encrypt(b"TK9988776").decode()
    cipher = Cipher((K2, K1))
    assert cipher.unseal(legacy) == "TK9988776"
    resealed = cipher.reseal(legacy)
    assert sealed_with(resealed) == key_id(K2) and cipher.unseal(resealed) == "TK9988776"
    assert cipher.reseal(resealed) == resealed  # already current: left alone
    assert sealed_with(cipher.reseal("in clear")) == key_id(K2)
    with pytest.raises(KeyFileError, match="cannot be decrypted"):
        Cipher((K3,)).unseal(legacy)


def test_a_process_reads_the_key_file_again_once_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "jpgb.key"
    init_key_file(path)
    first = crypto.configure(path)
    assert first is not None
    # Another process rotates: this one must not go on sealing with the retired key.
    rotated = add_current_key(path)
    sealed = crypto.seal("Kabukicho")
    assert sealed_with(sealed) == rotated.current_id != first.current_id
    assert crypto.unseal(sealed) == "Kabukicho"


def test_a_sealed_value_without_a_configured_key_is_refused_naming_its_key() -> None:
    crypto.configure(None)
    sealed = Cipher((K1,)).seal("x")
    with pytest.raises(KeyFileError, match=f"key {key_id(K1)} and no key file"):
        crypto.unseal(sealed)


@pytest.mark.parametrize(
    ("local", "incoming", "merged", "kept_own"),
    [
        # A bench with no key file yet takes the site's set as it is.
        ([], [K2, K1], [K2, K1], False),
        # After a rotation elsewhere: the file knows this bench's current key, so it is newer.
        ([K1], [K2, K1], [K2, K1], False),
        # Another bench's own keys join as retired; this bench keeps sealing with its own.
        ([K1], [K3], [K1, K3], True),
        # An older export changes nothing and does not bring an old key back as current.
        ([K2, K1], [K1], [K2, K1], True),
        ([K2, K1], [K2, K1], [K2, K1], False),
    ],
    ids=["new-bench", "after-rotation", "other-bench", "older-export", "same"],
)
def test_importing_a_key_set(
    tmp_path: Path,
    local: list[bytes],
    incoming: list[bytes],
    merged: list[bytes],
    kept_own: bool,
) -> None:
    path, source = tmp_path / "bench" / "jpgb.key", tmp_path / "site.keys"
    if local:
        path.parent.mkdir()
        write_keys(path, local)
    write_keys(source, incoming)
    done = import_keys(path, source)
    assert read_keys(path) == merged
    assert done.current_id == key_id(merged[0]) and done.kept_own is kept_own
    assert done.added == tuple(key_id(k) for k in incoming if k not in local)
    assert path.stat().st_mode & 0o777 == 0o600


def test_export_writes_the_whole_set_privately_and_never_overwrites(tmp_path: Path) -> None:
    path, out = tmp_path / "jpgb.key", tmp_path / "carry" / "site.keys"
    write_keys(path, [K2, K1])
    assert export_keys(path, out) == 2
    assert read_keys(out) == [K2, K1] and out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(KeyFileError, match="exists already"):
        export_keys(path, out)
    assert read_keys(out) == [K2, K1]
