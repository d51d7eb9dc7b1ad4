"""Where a packed box's papers go: the label to the printer, the customs form to its folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jpgb_terminal.store import Store
from jpgb_terminal.workflow.packing import print_box_papers
from tests.privacy.test_masking_exports import seed


def test_a_label_only_printer_sends_the_form_to_the_configured_folder(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packed = seed(sqlite_store)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    label_file = tmp_path / "label.svg"  # a file printer: labels only, like a raw socket printer
    forms = tmp_path / "data" / "customs-forms"

    label_to, form_to = print_box_papers(packed, str(label_file), forms_dir=forms)

    assert label_to == str(label_file) and label_file.stat().st_size > 0
    assert Path(form_to).parent == forms
    assert Path(form_to).read_bytes().startswith(b"%PDF")
    # The form holds the recipient's address: the folder is private to the user.
    assert stat.S_IMODE(forms.stat().st_mode) == 0o700
    assert list(cwd.iterdir()) == []  # nothing lands in the current directory


def test_a_folder_printer_keeps_both_papers(sqlite_store: Store, tmp_path: Path) -> None:
    packed = seed(sqlite_store)
    folder = tmp_path / "printer"
    folder.mkdir()
    forms = tmp_path / "forms"

    _, form_to = print_box_papers(packed, str(folder), forms_dir=forms)

    assert Path(form_to).parent == folder and not forms.exists()
    assert sorted(p.suffix for p in folder.iterdir()) == [".pdf", ".svg"]
