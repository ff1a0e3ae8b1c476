from snippet import rollup


def test_rollup_counts_known_hosts_and_survives_unknown_ones():
    lines = ["web1,cpu,0.5", "web2,cpu,0.25", "ghost,cpu,1.0"]
    result = rollup(lines, {"web1": "web", "web2": "web"})
    assert result["WEB"] == {"count": 2, "total": 0.75}
    assert result["_unknown"]["count"] == 1
