# One image for the web app and the workers; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY models ./models
COPY worker ./worker
COPY web ./web
RUN pip install ".[serve]" \
    && useradd --create-home --uid 10001 skillgap \
    && mkdir -p /app/instance && chown skillgap /app/instance

USER skillgap
ENV SKILLGAP_INSTANCE_PATH=/app/instance
EXPOSE 8000

# gevent workers: a slow client or a long-poll for a result holds a greenlet, not a
# thread or a process (see docker-compose.yml).
CMD ["sh", "-c", "skillgap db upgrade && exec gunicorn --bind 0.0.0.0:8000 --workers 2 --worker-class gevent --worker-connections 1000 --timeout 600 --access-logfile - 'web:create_app()'"]
