"""What the single-writer lock tells the user: the owner text shown, the folder it makes, and
why it cannot be taken. Table-driven cases beside tests/test_lock.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.lock import DatabaseBusy, lock_holder, owner, take_lock


@pytest.mark.parametrize(
    ("owner_file", "shown"),
    [
        (None, "another process"),  # no owner file: a courtesy that was never written
        (b"", "another process"),  # empty
        (b"  \n\t", "another process"),  # blank
        ("process 7 on h\u00f4te-\u00fc\n".encode(), "process 7 on h\u00f4te-\u00fc"),  # UTF-8, stripped
    ],
)
def test_the_owner_shown_to_the_others(database: Path, owner_file: bytes | None, shown: str) -> None:
    lock = take_lock(database)
    try:
        sidecar_owner = database.with_name(database.name + ".owner")
        if owner_file is None:
            sidecar_owner.unlink()
        else:
            sidecar_owner.write_bytes(owner_file)
        assert owner(database) == shown
        with pytest.raises(DatabaseBusy) as busy:
            take_lock(database)
        assert str(busy.value) == f"another Margin is writing it ({shown})"
        assert lock_holder(database) == f"another Margin is writing it ({shown})"
    finally:
        lock.release()


def test_the_owner_file_names_this_process_in_utf8(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socket.gethostname", lambda: "h\u00f4te-\u00fc")
    monkeypatch.setattr("os.getpid", lambda: 4242)
    take_lock(database).release()
    assert database.with_name(database.name + ".owner").read_bytes() == "process 4242 on h\u00f4te-\u00fc".encode()
    assert owner(database) == "process 4242 on h\u00f4te-\u00fc"


def test_taking_the_lock_makes_every_missing_folder(tmp_path: Path) -> None:
    database = tmp_path / "a" / "b" / "c" / "annotations.json"
    take_lock(database).release()
    assert sorted(p.name for p in database.parent.iterdir()) == ["annotations.json.lock", "annotations.json.owner"]
    assert not database.exists()  # the lock writes nothing in the database itself


def test_a_folder_that_is_a_file_is_named_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "notafolder").write_text("x")
    database = tmp_path / "notafolder" / "annotations.json"
    with pytest.raises(DatabaseBusy) as busy:
        take_lock(database)
    assert str(busy.value) == f"cannot write in {database.parent} (File exists)"
    assert (tmp_path / "notafolder").read_text() == "x"


@pytest.fixture
def ascii_locale():
    """A user whose locale is plain C/POSIX (ASCII): the owner file must not depend on it."""
    import locale

    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, before)


def test_a_non_ascii_host_name_is_written_and_shown_in_an_ascii_locale(
    database: Path, monkeypatch: pytest.MonkeyPatch, ascii_locale: None
) -> None:
    monkeypatch.setattr("socket.gethostname", lambda: "h\u00f4te-\u00fc")
    monkeypatch.setattr("os.getpid", lambda: 4242)
    lock = take_lock(database)
    try:
        assert database.with_name(database.name + ".owner").read_bytes() == "process 4242 on h\u00f4te-\u00fc".encode()
        with pytest.raises(DatabaseBusy) as busy:
            take_lock(database)
        assert str(busy.value) == "another Margin is writing it (process 4242 on h\u00f4te-\u00fc)"
    finally:
        lock.release()
