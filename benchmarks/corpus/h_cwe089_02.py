import tornado.web


class UserHandler(tornado.web.RequestHandler):
    def initialize(self, db):
        self.db = db

    def get(self):
        email = self.get_argument("email")
        row = self.db.execute("SELECT id, name FROM users WHERE email = '%s'" % email).fetchone()
        self.write({"user": row})
