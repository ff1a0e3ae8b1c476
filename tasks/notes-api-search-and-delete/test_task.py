import pytest

from snippet import create_note, delete_note, get_note, open_db, search_notes


def setup():
    conn = open_db()
    create_note(conn, "ann", "groceries", "milk")
    create_note(conn, "bob", "secret plan", "world domination")
    return conn


def test_search_is_scoped_to_owner_even_with_quotes():
    conn = setup()
    assert [n.title for n in search_notes(conn, "ann", "milk")] == ["groceries"]
    assert search_notes(conn, "ann", "x%' OR owner != '") == []
    assert search_notes(conn, "ann", "o'clock") == []


def test_cannot_delete_other_users_note():
    conn = setup()
    try:
        delete_note(conn, "ann", 2)
    except (PermissionError, LookupError, Exception):
        pass
    assert get_note(conn, "bob", 2) is not None
