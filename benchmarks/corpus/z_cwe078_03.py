import subprocess

import tornado.web

SERVICE_ACTIONS = {
    "status": ["systemctl", "status", "--no-pager"],
    "restart": ["systemctl", "restart"],
    "logs": ["journalctl", "-n", "100", "--no-pager", "-u"],
}
MANAGED_SERVICES = {"nginx", "redis-server", "celery-worker"}


class ServiceHandler(tornado.web.RequestHandler):
    def post(self, service):
        action = self.get_body_argument("action", "status")
        argv = SERVICE_ACTIONS.get(action)
        if argv is None:
            raise tornado.web.HTTPError(400, "unknown action")
        if service not in MANAGED_SERVICES:
            raise tornado.web.HTTPError(404, "unknown service")

        proc = subprocess.run(argv + [service], capture_output=True, text=True, timeout=20)
        self.write({"service": service, "action": action, "rc": proc.returncode, "out": proc.stdout})


def make_app():
    return tornado.web.Application([(r"/services/([\w-]+)", ServiceHandler)])
