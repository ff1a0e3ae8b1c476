import html
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass
class Profile:
    username: str
    display_name: str
    bio: str
    website: str


def safe_back_link(referrer: str | None) -> str:
    if not referrer:
        return "/"
    parts = urlsplit(referrer)
    # expect: open-redirect severity=medium id=back-any-host
    return referrer if parts.scheme in {"http", "https", ""} else "/"


def render_profile(profile: Profile, referrer: str | None = None) -> str:
    name = html.escape(profile.display_name)
    back = html.escape(safe_back_link(referrer), quote=True)
    # expect: xss severity=high id=bio-raw
    bio = profile.bio.replace("\n", "<br>")
    return (
        f"<h1>{name}</h1>"
        f"<p class='bio'>{bio}</p>"
        f"<a href=\"{back}\">back</a>"
    )


def render_avatar(profile: Profile) -> str:
    src = "/avatars/" + quote(profile.username, safe="")
    alt = html.escape(profile.display_name, quote=True)
    # ok: xss
    return f'<img class="avatar" src="{src}" alt="{alt}">'
