"""The metropole's data charter, as rules checked on every create and update."""
