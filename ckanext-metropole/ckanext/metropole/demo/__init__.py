"""Demo mode (`make run`): sample content and local sample servers.
Turned off with ``ckanext.metropole.demo = false`` / ``METROPOLE_DEMO=0``."""
