"""`jpgb sync` on the command line: a central URL no store can have is one clear line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from jpgb_terminal.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "central", ["mysql://jpgb:SECRET@central.example/jpgb", "foo://jpgb:SECRET@central/x"]
)
@pytest.mark.parametrize("words", [["sync", "--once"], ["sync", "status", "--remote"]])
def test_an_unusable_central_url_is_refused_clearly(
    sqlite_url: str, central: str, words: list[str]
) -> None:
    r = runner.invoke(app, [*words, "--central", central, "--db", sqlite_url])
    assert r.exit_code == 1
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "error: unsupported store" in r.stderr and "***" in r.stderr
    assert "SECRET" not in r.output
