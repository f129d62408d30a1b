"""`make loadtest`: gunicorn on PostgreSQL under 50 readers and 5 editors (see run.sh)."""
