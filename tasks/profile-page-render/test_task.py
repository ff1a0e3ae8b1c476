from snippet import Profile, render_profile, safe_back_link


def test_bio_markup_is_escaped():
    out = render_profile(Profile("eve", "Eve", "<img src=x onerror=alert(1)>\nhi", ""))
    assert "<img" not in out
    assert "&lt;img" in out and "<br>hi" in out


def test_back_link_stays_on_site():
    assert safe_back_link("https://evil.example/phish") == "/"
    assert safe_back_link("//evil.example") == "/"
    assert safe_back_link("/users?page=2") == "/users?page=2"
