from snippet import summarise


def test_summary_uses_every_value():
    lines = ["GET /a 200 10ms", "GET /b 200 30ms", "noise"]
    assert summarise(lines) == {"count": 2, "mean": 20.0, "max": 30.0}


def test_empty():
    assert summarise([])["count"] == 0
