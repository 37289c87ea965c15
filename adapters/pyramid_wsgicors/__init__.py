"""pyramid adapter for wsgicors (under construction)."""
