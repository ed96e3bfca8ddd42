# quotelens: the API (`quotelens serve`), the bot (`quotelens bot`) and the CLI in one image.
#   docker build -t quotelens .
#   docker run -p 127.0.0.1:8000:8000 -v quotelens-data:/data quotelens
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

RUN pip install --no-cache-dir "uv==0.13.8"

WORKDIR /app
# Dependencies first (from the lock file), so code changes do not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY attribution ./attribution
COPY api ./api
COPY bot ./bot
COPY quotelens ./quotelens
COPY seeds ./seeds
RUN uv sync --frozen --no-dev

RUN useradd --create-home --uid 10001 quotelens && mkdir -p /data && chown quotelens /data
USER quotelens
ENV QUOTELENS_DATA_DIR=/data \
    QUOTELENS_SEEDS_DIR=/app/seeds
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]

CMD ["quotelens", "serve", "--host", "0.0.0.0", "--port", "8000"]
