"""bottle adapter for wsgicors (under construction)."""
