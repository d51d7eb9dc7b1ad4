"""Key rotation as a site operation: two benches and a PostgreSQL central, each with its own key
file, through the real CLI.  Names and identity-document numbers reach central and the other
bench sealed; after the documented procedure every value opens everywhere, twice over."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jpgb_terminal.cli import app
from jpgb_terminal.privacy.crypto import Cipher, MissingKey, sealed_with
from jpgb_terminal.store import open_store
from jpgb_terminal.store.handles import CUSTOMER

runner = CliRunner()
EXPECTED = {
    "C1": ("4-12-7 Nishi-Shinjuku", "TK9988776"),
    "C2": ("1-1 Kabukicho", "PX5544332"),
}
NAMES = {"C1": "Taro Yamada", "C2": "Hanako Sato"}


@dataclass(frozen=True)
class Site:
    """One store of the site: its URL, its key file and the environment its commands run in."""

    url: str
    key: Path
    env: dict[str, str]

    def run(self, *args: str, ok: bool = True) -> str:
        r = runner.invoke(app, list(args), env=self.env)
        if ok:
            assert r.exit_code == 0, r.output
        return r.output

    def rows(self) -> dict[str, tuple[str, str, str]]:
        store = open_store(self.url, ensure=False)
        try:
            with store.engine.connect() as conn:
                c = CUSTOMER.c
                query = select(c.id, c.name, c.address, c.id_doc_no)
                return {r.id: (r.name, r.address, r.id_doc_no) for r in conn.execute(query)}
        finally:
            store.dispose()

    def opened(self) -> dict[str, tuple[str | None, str | None]]:
        """Address and document number of each customer, opened; the name must open too."""
        cipher = Cipher.from_file(self.key)
        out = {}
        for cid, (name, address, id_doc) in self.rows().items():
            assert cipher.unseal(name) == NAMES[cid], (self.url, cid)
            out[cid] = (cipher.unseal(address), cipher.unseal(id_doc))
        return out


def _bench(tmp_path: Path, name: str, station: str) -> Site:
    db = tmp_path / name / "station.db"
    key = tmp_path / name / "keys" / "jpgb.key"
    env = {"JPGB_DB": f"sqlite:///{db}", "JPGB_KEY_FILE": str(key), "JPGB_STATION_ID": station}
    return Site(env["JPGB_DB"], key, env)


def _sync(bench: Site, central: str) -> None:
    out = bench.run("sync", "--once", "--central", central)
    assert "error" not in out.lower(), out


def _carry(source: Site, targets: list[Site], folder: Path, name: str) -> None:
    """The documented step: export the key set at one store, import it at the others."""
    out = folder / f"{name}.keys"
    source.run("keys", "export", "--out", str(out))
    for target in targets:
        target.run("keys", "import", str(out))
    out.unlink()


@pytest.mark.postgres
def test_rotation_at_one_bench_leaves_every_value_readable_everywhere(
    tmp_path: Path, pg_url: str
) -> None:
    open_store(pg_url).dispose()
    pg_central = pg_url
    a, b = _bench(tmp_path, "a", "ST01"), _bench(tmp_path, "b", "ST02")
    central_key = tmp_path / "central" / "jpgb.key"
    central = Site(pg_central, central_key, {"JPGB_KEY_FILE": str(central_key)})
    for site, cid in ((a, "C1"), (b, "C2")):
        address, id_doc = EXPECTED[cid]
        site.run(
            "customer", "add", cid, "--name", NAMES[cid], "--address", address, "--id-doc", id_doc
        )
    for bench in (a, b, a):
        _sync(bench, pg_central)

    # Names and identity-document numbers travel sealed, as stored, to central and to the
    # other bench.
    for site in (central, b):
        rows = site.rows()
        assert set(rows) == {"C1", "C2"}
        for cid, (name, address, id_doc) in rows.items():
            assert sealed_with(name) and sealed_with(address) and sealed_with(id_doc), cid
            assert EXPECTED[cid][1] not in id_doc and NAMES[cid] not in name
    # Each bench made its own key: B names the key it lacks rather than showing nothing.
    with pytest.raises(MissingKey, match=r"sealed with key \w{8}.*jpgb keys import"):
        b.opened()
    status = b.run("keys", "status")
    assert "missing" in status and "jpgb keys import" in status

    # The procedure: gather every bench's keys at A, rotate there, carry the set everywhere.
    _carry(b, [a], tmp_path, "from-b")
    a_status = a.run("keys", "rotate")
    assert "1 customer(s) re-encrypted" not in a_status  # both customers are at A
    assert "2 customer(s) re-encrypted" in a_status
    _carry(a, [b, central], tmp_path, "site-1")
    for site in (a, b, central):
        assert site.opened() == EXPECTED, site.url

    # Values sealed after the rotation travel too, and open everywhere.
    a.run("customer", "update", "C2", "--address", "2-2 Dogenzaka")
    b.run("customer", "update", "C1", "--id-doc", "RR1234567")
    for bench in (a, b, a):
        _sync(bench, pg_central)
    after = {"C1": (EXPECTED["C1"][0], "RR1234567"), "C2": ("2-2 Dogenzaka", EXPECTED["C2"][1])}
    for site in (a, b, central):
        assert site.opened() == after, site.url

    # A second rotation works, and after it every value still opens at every store.
    current = a.run("keys", "rotate")
    assert "key rotated" in current
    _carry(a, [b, central], tmp_path, "site-2")
    b.run("keys", "reseal")
    for site in (a, b, central):
        assert site.opened() == after, site.url
    lines = [line.split() for line in b.run("keys", "status").splitlines()[1:]]
    assert [line[1] for line in lines] == ["current", "retired", "retired", "retired"]
    # Two names, two addresses, two document numbers.
    assert int(lines[0][2]) == 6 and all(int(line[2]) == 0 for line in lines[1:])


def test_a_store_with_sealed_values_and_no_key_file_is_refused(tmp_path: Path) -> None:
    bench = _bench(tmp_path, "a", "ST01")
    bench.run("customer", "add", "C1", "--name", NAMES["C1"], "--address", "4-12-7 Nishi-Shinjuku")
    backup = tmp_path / "backup.keys"
    bench.run("keys", "export", "--out", str(backup))
    before = bench.rows()
    bench.key.unlink()
    r = runner.invoke(app, ["customer", "add", "C2", "--name", NAMES["C2"]], env=bench.env)
    assert r.exit_code == 1
    # C1's name and address.
    assert "is missing and this store holds 2 sealed value(s)" in r.output
    assert "jpgb keys import" in r.output and len(r.output.strip().splitlines()) == 1
    # Nothing was made or changed: no new key that opens nothing, no new customer.
    assert not bench.key.exists() and bench.rows() == before
    # Importing the site's key set is the way back; the store opens and works again.
    bench.run("keys", "import", str(backup))
    bench.run("customer", "add", "C2", "--name", NAMES["C2"], "--address", "1-1 Kabukicho")
    assert bench.opened() == {"C1": ("4-12-7 Nishi-Shinjuku", None), "C2": ("1-1 Kabukicho", None)}
