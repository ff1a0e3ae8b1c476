# The graderlib code-review environment (OpenEnv server) on a slim Python image.
#   docker build -t graderlib-env .
#   docker run --rm -p 8000:8000 graderlib-env
#   docker run --rm -p 9000:9000 -e PORT=9000 -e ENABLE_WEB_INTERFACE=true graderlib-env
# CPython 3.13: the newest release every dependency ships wheels for and that .ci/run tests
# (bandit and openenv are pure Python; libcst 1.9, scipy 1.17, numpy and pydantic-core have
# cp313 wheels). Bandit reads the interpreter's grammar, so a newer image also lets it scan
# PEP 701/695 code that it must skip (as a tool error) on 3.11.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKERS=1 \
    MAX_CONCURRENT_ENVS=64 \
    UVICORN_WS_PER_MESSAGE_DEFLATE=false \
    GRADERLIB_TASKS_DIR=/app/tasks

WORKDIR /app

# The library and its env extra first, so editing tasks or env/ does not reinstall them.
COPY pyproject.toml README.md ./
COPY graderlib ./graderlib
# The project pins lower bounds in pyproject.toml, not exact versions (there is no lock file).
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[env]"

COPY env ./env
COPY tasks ./tasks

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin graderlib
USER 10001

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8000'), timeout=4)"]

# uvicorn reads UVICORN_WS_PER_MESSAGE_DEFLATE: compression is off (it cost the server ~0.2 ms
# of CPU per full observation; README, environment section); -e ...=true turns it back on.
CMD ["sh", "-c", "exec uvicorn env.server.app:app --host \"$HOST\" --port \"$PORT\" --workers \"$WORKERS\""]
