"""Encryption at rest of personal data (Fernet), with a key set that several stores share.

The key file holds Fernet keys, one per line, the current key first and retired keys after it.
A value is written as `fernet:<key id>:<token>`, sealed with the current key; the key id (the
first 8 hex digits of the key's SHA-256) names the key that opens it, so a store whose values
came from several benches, or from before a rotation, opens each with its own key.  A value
written before key ids (`fernet:<token>`) opens with whichever key of the file fits.  A value
without the prefix is plaintext (written before a key file existed) and reads back as it is.

Keys are never dropped from the file: values sealed with a retired key may still sit at another
bench or at central, and "no store is ever left with values no key opens" outweighs pruning.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, overload

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from jpgb_terminal.errors import ServiceError
from jpgb_terminal.rules.masking import mask_name

if TYPE_CHECKING:
    from jpgb_terminal.store import Store

PREFIX = "fernet:"
# The Customer columns kept encrypted (the clear marker names aside: rules.marker_names).
ENCRYPTED_FIELDS = ("name", "address", "phone", "id_doc_no")
SHIPMENT_SEALED_FIELDS = ("recipient_name", "recipient_address", "recipient_phone")
KEY_ID_LEN = 8
LEGACY = "(no key id)"  # the key id shown for a value sealed before values carried one


class KeyFileError(ServiceError):
    """The key file is missing, unreadable or cannot decrypt a stored value."""


class MissingKey(KeyFileError):
    """A value is sealed with a key this station's key file does not hold."""

    def __init__(self, key_id: str, path: Path | None) -> None:
        where = f"the key file {path}" if path is not None else "this station's key file"
        super().__init__(
            f"sealed with key {key_id}, which {where} lacks: import it with "
            "`jpgb keys import FILE` (a `jpgb keys export` from the bench that has it)"
        )
        self.key_id = key_id


def key_id(key: bytes) -> str:
    """The short fingerprint that names a key in the values it seals (not secret)."""
    return hashlib.sha256(key).hexdigest()[:KEY_ID_LEN]


def sealed_with(value: str | None) -> str | None:
    """The key id a stored value names, LEGACY for an unlabelled token, None for plaintext."""
    if value is None or not value.startswith(PREFIX):
        return None
    head, sep, _ = value[len(PREFIX) :].partition(":")
    # A Fernet token is URL-safe base64: it never holds a colon, so one means a key id.
    return head if sep else LEGACY


def read_keys(path: Path) -> list[bytes]:
    """The keys of a key file, current first (refused when unreadable, empty or invalid)."""
    try:
        lines = path.read_text(encoding="ascii").split()
    except OSError as exc:
        raise KeyFileError(f"cannot read the key file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise KeyFileError(f"the key file {path} holds an invalid key") from None
    if not lines:
        raise KeyFileError(f"the key file {path} holds no key")
    keys = [line.encode() for line in lines]
    _fernets(path, keys)
    return keys


def _fernets(path: Path | None, keys: list[bytes]) -> list[Fernet]:
    try:
        return [Fernet(k) for k in keys]
    except ValueError:
        raise KeyFileError(f"the key file {path} holds an invalid key") from None


def write_keys(path: Path, keys: list[bytes]) -> None:
    """Write a key file (0600), current key first, replacing any file there in one step."""
    # Written beside and renamed over: a crash never leaves a half-written key file, and a
    # process watching the file sees the new inode and reads it again.
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write("".join(k.decode() + "\n" for k in keys))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Cipher:
    """Seals with the current key of a key set, opens with the key a value names."""

    def __init__(self, keys: tuple[bytes, ...], source: Path | None = None) -> None:
        if not keys:
            raise KeyFileError(f"the key file {source} holds no key")
        fernets = _fernets(source, list(keys))
        self.keys = keys
        self.source = source
        self._by_id = {key_id(k): f for k, f in zip(keys, fernets, strict=True)}
        self._any = MultiFernet(fernets)

    @classmethod
    def from_file(cls, path: Path) -> Cipher:
        """The cipher of a key file."""
        return cls(tuple(read_keys(path)), path)

    @property
    def current_id(self) -> str:
        """The id of the key new values are sealed with."""
        return key_id(self.keys[0])

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Every key id of the set, current first."""
        return tuple(key_id(k) for k in self.keys)

    def seal(self, value: str | None) -> str | None:
        """`value` encrypted (None stays None; an already sealed value is left alone)."""
        if value is None or value.startswith(PREFIX):
            return value
        token = self._by_id[self.current_id].encrypt(value.encode()).decode("ascii")
        return f"{PREFIX}{self.current_id}:{token}"

    def unseal(self, value: str | None) -> str | None:
        """The plaintext of a sealed value (plaintext passes through)."""
        kid = sealed_with(value)
        if value is None or kid is None:
            return value
        if kid == LEGACY:
            opener: Fernet | MultiFernet = self._any
            token = value[len(PREFIX) :]
        else:
            found = self._by_id.get(kid)
            if found is None:
                raise MissingKey(kid, self.source)
            opener, token = found, value[len(PREFIX) + len(kid) + 1 :]
        try:
            return opener.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise KeyFileError("a stored value cannot be decrypted with this key file") from exc

    def reseal(self, value: str | None) -> str | None:
        """`value` sealed with the current key: unchanged when it already is, so a re-run
        resumes where the last one stopped (plaintext gets sealed)."""
        if value is None or sealed_with(value) == self.current_id:
            return value
        return self.seal(self.unseal(value))


# The key file the process seals with, and the file's identity when it was read: a rotation
# elsewhere renames a new file over it, so the next seal reads it again.
_path: Path | None = None
_stamp: tuple[int, int, int] | None = None
_configured: Cipher | None = None


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def configure(key_file: Path | None) -> Cipher | None:
    """Use the key file named in settings for every later write and read (None: plaintext)."""
    global _path, _stamp, _configured
    if key_file is None:
        _path, _stamp, _configured = None, None, None
        return None
    stamp = _file_stamp(key_file)
    cipher = Cipher.from_file(key_file)
    _path, _stamp, _configured = key_file, stamp, cipher
    return cipher


def current() -> Cipher | None:
    """The configured cipher, read again when its key file changed since it was read."""
    global _stamp, _configured
    if _path is not None:
        stamp = _file_stamp(_path)
        # A file gone for a moment keeps the keys read before; a changed one is read again,
        # so this process never seals with a key another process retired.
        if stamp is not None and stamp != _stamp:
            _configured = Cipher.from_file(_path)
            _stamp = stamp
    return _configured


@overload
def seal(value: str) -> str: ...
@overload
def seal(value: None) -> None: ...
@overload
def seal(value: str | None) -> str | None: ...
def seal(value: str | None) -> str | None:
    """`value` encrypted when a key file is configured, else as it is."""
    cipher = current()
    return cipher.seal(value) if cipher is not None else value


@overload
def unseal(value: str) -> str: ...
@overload
def unseal(value: None) -> None: ...
@overload
def unseal(value: str | None) -> str | None: ...
def unseal(value: str | None) -> str | None:
    """The plaintext of a stored value (refuses a sealed one when no key is configured)."""
    kid = sealed_with(value)
    if kid is not None:
        cipher = current()
        if cipher is None:
            raise KeyFileError(f"this value is sealed with key {kid} and no key file is configured")
        return cipher.unseal(value)
    return value


UNREADABLE = "***"  # what a screen shows of a value no key of this station opens


def masked_name(stored: str | None) -> str:
    """A stored (maybe sealed) name masked for display; "***" when no key here opens it, so
    a screen showing a customer synced from a bench whose key is not imported still shows."""
    try:
        return mask_name(unseal(stored))
    except KeyFileError:
        return UNREADABLE


def _make_folder(path: Path) -> None:
    if path.parent.exists():
        return
    try:
        path.parent.mkdir(parents=True, mode=0o700)
    except OSError as exc:
        raise KeyFileError(
            f"cannot create the key file's folder {path.parent}: {exc.strerror}"
        ) from exc
    path.parent.chmod(0o700)


def init_key_file(path: Path) -> None:
    """Create a key file with one fresh key; an existing file is never overwritten."""
    if path.exists():
        raise KeyFileError(f"{path} exists already; rotate it instead of replacing it")
    _make_folder(path)
    try:
        write_keys(path, [Fernet.generate_key()])
    except OSError as exc:
        raise KeyFileError(f"cannot create the key file {path}: {exc.strerror}") from exc


def configure_or_create(key_file: Path | None, store: Store | None = None) -> Cipher | None:
    """Use `key_file`, creating it first (one fresh key, 0600) when it does not exist yet:
    the first command that opens a store makes sure personal data is sealed from then on.

    A store that already holds sealed values is refused instead: a new key would open none of
    them, and values sealed from then on would need a key the rest of the site lacks.
    """
    if key_file is not None and not key_file.exists():
        if store is not None:
            from jpgb_terminal.privacy.keyring import count_sealed

            held = count_sealed(store)
            if held:
                raise KeyFileError(
                    f"the key file {key_file} is missing and this store holds {held} sealed "
                    "value(s): restore the file, or `jpgb keys import FILE` the site's key set "
                    "(nothing was changed)"
                )
        init_key_file(key_file)
    return configure(key_file)


def cipher_reading(path: Path, also: Path | None) -> Cipher:
    """The cipher of `path` that can also read values sealed with the keys in `also`."""
    keys = read_keys(path)
    if also is not None and also != path and also.exists():
        keys += [k for k in read_keys(also) if k not in keys]
    return Cipher(tuple(keys), path)


def add_current_key(path: Path) -> Cipher:
    """Put a fresh key first in the key file, keeping every key it held as retired."""
    old = read_keys(path)  # checked before the file is touched
    new = Fernet.generate_key()
    write_keys(path, [new, *old])
    return Cipher((new, *old), path)


@dataclass(frozen=True)
class Imported:
    """What importing a key set changed: keys added, the current key afterwards, and whether
    this file's own current key stayed current because the imported set lacks it."""

    added: tuple[str, ...]
    current_id: str
    kept_own: bool


def export_keys(path: Path, out: Path) -> int:
    """Copy the key set to `out` (0600, never overwritten) for the site's other stores."""
    keys = read_keys(path)
    if out.exists():
        raise KeyFileError(f"{out} exists already; nothing was written")
    _make_folder(out)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write("".join(k.decode() + "\n" for k in keys))
    except OSError as exc:
        raise KeyFileError(f"cannot write {out}: {exc.strerror}") from exc
    return len(keys)


def import_keys(path: Path, source: Path) -> Imported:
    """Merge the key set in `source` into the key file at `path` (created when missing).

    The source's current key becomes current here when the source also holds this file's
    current key (it is the newer set, e.g. exported after a rotation); otherwise this file's
    current key stays current and the source's keys join as retired.
    """
    incoming = read_keys(source)
    local = read_keys(path) if path.exists() else []
    added = tuple(key_id(k) for k in incoming if k not in local)
    if not local or local[0] in incoming:
        merged = [*incoming, *(k for k in local if k not in incoming)]
    else:
        merged = [*local, *(k for k in incoming if k not in local)]
    if merged != local:
        _make_folder(path)
        write_keys(path, merged)
    return Imported(added, key_id(merged[0]), bool(local) and local[0] not in incoming)
