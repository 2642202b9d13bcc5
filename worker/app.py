"""The worker's entry point: ``celery -A worker.app worker``."""

from worker.celery_app import create_celery

celery_app = create_celery()
