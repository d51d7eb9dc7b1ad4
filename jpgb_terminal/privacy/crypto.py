"""Encryption at rest of identity-document numbers and full addresses (Fernet, key file).

The key file holds Fernet keys, one per line, newest first.  Values are written as
`fernet:<token>` with the newest key; any key in the file decrypts, so rotation adds a key,
re-encrypts every row, then retires the old keys.  A value without the prefix is plaintext
(written before a key file was configured) and reads back as it is.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlmodel import Session

from jpgb_terminal.errors import ServiceError
from jpgb_terminal.store.tables import Customer

PREFIX = "fernet:"
ENCRYPTED_FIELDS = ("address", "id_doc_no")  # the Customer columns kept encrypted
CUSTOMER = Customer.__table__  # type: ignore[attr-defined]


class KeyFileError(ServiceError):
    """The key file is missing, unreadable or cannot decrypt a stored value."""


def _read_keys(path: Path) -> list[bytes]:
    try:
        lines = path.read_text(encoding="ascii").split()
    except OSError as exc:
        raise KeyFileError(f"cannot read the key file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise KeyFileError(f"the key file {path} holds an invalid key") from None
    if not lines:
        raise KeyFileError(f"the key file {path} holds no key")
    return [line.encode() for line in lines]


def _fernets(path: Path, keys: list[bytes]) -> list[Fernet]:
    try:
        return [Fernet(k) for k in keys]
    except ValueError:
        raise KeyFileError(f"the key file {path} holds an invalid key") from None


def _write_keys(path: Path, keys: list[bytes]) -> None:
    # Written beside and renamed over: a crash never leaves a half-written key file.
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("".join(k.decode() + "\n" for k in keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class Cipher:
    """Encrypts with the newest key of a key file, decrypts with any of them."""

    fernet: MultiFernet

    @classmethod
    def from_file(cls, path: Path) -> Cipher:
        """The cipher of a key file."""
        return cls(MultiFernet(_fernets(path, _read_keys(path))))

    def seal(self, value: str | None) -> str | None:
        """`value` encrypted (None stays None; an already sealed value is left alone)."""
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self.fernet.encrypt(value.encode()).decode("ascii")

    def unseal(self, value: str | None) -> str | None:
        """The plaintext of a sealed value (plaintext passes through)."""
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self.fernet.decrypt(value[len(PREFIX) :].encode("ascii")).decode()
        except InvalidToken as exc:
            raise KeyFileError("a stored value cannot be decrypted with this key file") from exc

    def reseal(self, value: str | None) -> str | None:
        """`value` encrypted again with the newest key (plaintext gets encrypted)."""
        if value is None:
            return None
        if not value.startswith(PREFIX):
            return self.seal(value)
        token = value[len(PREFIX) :].encode("ascii")
        try:
            return PREFIX + self.fernet.rotate(token).decode("ascii")
        except InvalidToken as exc:
            raise KeyFileError("a stored value cannot be decrypted with this key file") from exc


_configured: Cipher | None = None


def configure(key_file: Path | None) -> Cipher | None:
    """Use the key file named in settings for every later write and read (None: plaintext)."""
    global _configured
    _configured = Cipher.from_file(key_file) if key_file is not None else None
    return _configured


def current() -> Cipher | None:
    """The configured cipher, or None when no key file is configured."""
    return _configured


def seal(value: str | None) -> str | None:
    """`value` encrypted when a key file is configured, else as it is."""
    return _configured.seal(value) if _configured is not None else value


def unseal(value: str | None) -> str | None:
    """The plaintext of a stored value (refuses a sealed one when no key is configured)."""
    if value is not None and value.startswith(PREFIX):
        if _configured is None:
            raise KeyFileError("this value is encrypted and no key file is configured")
        return _configured.unseal(value)
    return value


def init_key_file(path: Path) -> None:
    """Create a key file with one fresh key; an existing file is never overwritten."""
    if path.exists():
        raise KeyFileError(f"{path} exists already; rotate it instead of replacing it")
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise KeyFileError(
                f"cannot create the key file's folder {path.parent}: {exc.strerror}"
            ) from exc
        path.parent.chmod(0o700)
    try:
        _write_keys(path, [Fernet.generate_key()])
    except OSError as exc:
        raise KeyFileError(f"cannot create the key file {path}: {exc.strerror}") from exc


def configure_or_create(key_file: Path | None) -> Cipher | None:
    """Use `key_file`, creating it first (one fresh key, 0600) when it does not exist yet:
    the first command that opens a store makes sure personal data is sealed from then on."""
    if key_file is not None and not key_file.exists():
        init_key_file(key_file)
    return configure(key_file)


def cipher_reading(path: Path, also: Path | None) -> Cipher:
    """The cipher of `path` that can also read values sealed with the keys in `also`."""
    keys = _read_keys(path)
    if also is not None and also != path and also.exists():
        keys += [k for k in _read_keys(also) if k not in keys]
    return Cipher(MultiFernet(_fernets(path, keys)))


SHIPMENT_SEALED_FIELDS = ("recipient_name", "recipient_address", "recipient_phone")


def reseal_all(session: Session, cipher: Cipher) -> int:
    """Encrypt every sealed field (customers' addresses and id numbers, shipment recipients)
    with the cipher's newest key; returns how many rows changed."""
    from jpgb_terminal.store.outbound import Shipment

    shipment = Shipment.__table__  # type: ignore[attr-defined]
    tables = ((CUSTOMER, ENCRYPTED_FIELDS), (shipment, SHIPMENT_SEALED_FIELDS))
    changed = 0
    for table, fields in tables:
        rows = session.connection().execute(select(table.c.id, *(table.c[f] for f in fields)))
        for row in rows.all():
            values = {f: cipher.reseal(getattr(row, f)) for f in fields}
            if any(values[f] != getattr(row, f) for f in fields):
                session.connection().execute(
                    table.update().where(table.c.id == row.id).values(**values)
                )
                changed += 1
    return changed


def rotate_key_file(path: Path, reseal: Callable[[Cipher], int]) -> int:
    """Add a new key, re-encrypt through `reseal(cipher) -> rows changed`, retire old keys.

    The file holds old and new keys while rows are re-encrypted, so a failure at any point
    leaves every stored value readable.
    """
    old = _read_keys(path)
    readers = _fernets(path, old)  # checked before the file is touched
    new = Fernet.generate_key()
    _write_keys(path, [new, *old])
    cipher = Cipher(MultiFernet([Fernet(new), *readers]))
    changed = reseal(cipher)
    _write_keys(path, [new])
    return changed
