"""The portal's look (``metropole_theme`` plugin): the metropole's name, logo
and colours from configuration, French header and footer, home page, legal
pages, the templates of the harvest source pages (their data comes from
``pages/harvest_source.py``) and French for upstream strings."""
