# Two stages: the first builds the project's wheel; the second installs the locked dependencies
# (requirements/base.txt, every file checked against its hash) and that wheel, nothing else: no
# build tools, no tests, no demo store (the image always runs with REDIS_URL).
#
# Exact tags, so a rebuild gets the same interpreter; bump them on purpose. (Written where no
# registry could be reached: `docker pull` the tag once, and pin its digest, @sha256:..., if
# you want the very same bytes.)
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY locales locales
# The wheel carries locales/ as bot/locales (pyproject.toml), so the bot needs no checkout.
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# Dependencies first, so a code change does not reinstall them.
COPY requirements/base.txt /tmp/requirements.txt
RUN pip install --require-hashes -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-deps /tmp/wheels/*.whl && rm -r /tmp/wheels

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin exbot
# An empty working directory: the installed package runs from anywhere, and no stray .env
# here can override what compose passes in.
WORKDIR /srv/exchange-bot
USER exbot

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % (os.environ.get('WEB_PORT') or 8080), timeout=4)"]

# SIGTERM starts the bot's drain (updates in hand, notifications, creations); give it the time
# docker-compose.yml's stop_grace_period allows before SIGKILL.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]
