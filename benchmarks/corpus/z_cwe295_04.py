import os

import paramiko
from flask import Flask, jsonify

app = Flask(__name__)

BACKUP_HOST = "backup01.internal.example.com"
BACKUP_USER = "svc-backup"
KNOWN_HOSTS = os.path.expanduser("~/.ssh/known_hosts")
KEY_FILE = os.environ.get("BACKUP_SSH_KEY", os.path.expanduser("~/.ssh/id_ed25519"))


def open_ssh() -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_system_host_keys()
    if os.path.exists(KNOWN_HOSTS):
        client.load_host_keys(KNOWN_HOSTS)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(BACKUP_HOST, username=BACKUP_USER, key_filename=KEY_FILE, timeout=10)
    return client


@app.route("/admin/backups/latest")
def latest_backup():
    client = open_ssh()
    try:
        _, stdout, _ = client.exec_command("ls -1t /srv/backups | head -n 1")
        name = stdout.read().decode().strip()
    finally:
        client.close()
    return jsonify({"latest": name or None})
