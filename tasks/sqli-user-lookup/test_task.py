from snippet import add_user, connect, find_user


def test_finds_existing_user():
    conn = connect()
    add_user(conn, "alice", "alice@example.com")
    assert find_user(conn, "alice").email == "alice@example.com"


def test_injection_payload_matches_nobody():
    conn = connect()
    add_user(conn, "alice", "alice@example.com")
    assert find_user(conn, "x' OR '1'='1") is None


def test_name_with_quote_is_looked_up_literally():
    conn = connect()
    add_user(conn, "o'brien", "ob@example.com")
    assert find_user(conn, "o'brien").name == "o'brien"
