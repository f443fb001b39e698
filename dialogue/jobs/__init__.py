"""Background jobs: heavy files and mail made by Celery workers, never in a request."""
