"""The portal's look: the metropole's name, logo and colours from
configuration, French header and footer, home page, legal pages and the
harvest source pages (``metropole_theme`` plugin)."""
