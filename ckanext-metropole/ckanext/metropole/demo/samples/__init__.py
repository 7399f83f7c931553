"""Sample IoT platforms for the demo and the harvester tests.

``python -m ckanext.metropole.demo.samples --port N`` serves every protocol
under its path prefix (``/sensorthings/v1.1/…``, ``/ngsi/…``); tests build
the same apps in-process with :func:`build_server` and inject faults.
"""
