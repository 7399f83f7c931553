"""gunicorn settings of the runtime's web server (``--config python:…``).

The master loads CKAN once (``preload_app``) and forks its workers from it:
they share the loaded code and data copy-on-write instead of each loading
CKAN and its plugins again (~120 MiB private memory apiece), and a worker
restarted after a crash starts in milliseconds. The master renders a few
pages before forking (compiled templates, lazily imported modules: shared
too). CKAN opens database connections while it loads; they are closed
before the fork so that no connection is shared between processes.
"""

preload_app = True
timeout = 120
graceful_timeout = 10
accesslog = "-"


def when_ready(server) -> None:
    """In the master, after CKAN is loaded and before the first fork."""
    from ckanext.metropole.runtime.preload import prepare_to_fork, warm_up

    warm_up(server.app.wsgi())
    prepare_to_fork()
