import random
import string

import tornado.web

from .models import Invitation, Team

_rng = random.SystemRandom()
ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "O0I1")


def invite_code(length: int = 12) -> str:
    return "".join(_rng.choice(ALPHABET) for _ in range(length))


class TeamInviteHandler(tornado.web.RequestHandler):
    async def post(self, team_id: str):
        user = self.current_user
        if user is None:
            raise tornado.web.HTTPError(401)
        team = await Team.get(int(team_id))
        if team is None or not team.is_admin(user):
            raise tornado.web.HTTPError(403)

        email = self.get_body_argument("email").strip().lower()
        code = invite_code()
        await Invitation.create(team_id=team.id, email=email, code=code, created_by=user.id)
        self.set_status(201)
        self.write({"email": email, "invite_url": f"https://teams.example.com/join/{code}"})


def make_app() -> tornado.web.Application:
    return tornado.web.Application([(r"/teams/(\d+)/invites", TeamInviteHandler)])
