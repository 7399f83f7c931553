"""The portal's security layer (plugin ``metropole_security``).

Each module is one defence, plugged in through CKAN's interfaces (chained
actions and auth functions, validators, middleware, configuration) — never by
editing CKAN's or an extension's files. ``plugin.py`` collects them; see the
README's "Security" section for the threat model.
"""
