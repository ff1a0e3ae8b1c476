from snippet import import_csv, open_db, preview

HEADER = "email,name,country\n"


def rows(n, start=0):
    return "".join(f"user{i}@example.com,User {i},DE\n" for i in range(start, start + n))


def test_partial_last_batch_is_inserted():
    conn = open_db()
    report = import_csv(conn, HEADER + rows(7), batch_size=5)
    assert report.inserted == 7
    assert conn.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 7


def test_rows_of_a_failing_batch_are_reported():
    conn = open_db()
    import_csv(conn, HEADER + rows(1), batch_size=2)
    report = import_csv(conn, HEADER + rows(2), batch_size=2)
    lost = 2 - report.inserted - len(report.rejected)
    assert lost == 0


def test_preview_counts_and_shows_rows():
    total, first = preview(HEADER + rows(8), limit=3)
    assert total == 8
    assert [r["email"] for r in first] == ["user0@example.com", "user1@example.com", "user2@example.com"]
