import tornado.web


class SearchHandler(tornado.web.RequestHandler):
    def get(self):
        term = self.get_argument("q", "")
        self.write("<h2>Results for %s</h2>" % term)
