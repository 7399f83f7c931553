"""What the portal's pages compute for their templates: the "use this data"
panel, the search results map and the commune page."""
