"""flask adapter for wsgicors (under construction)."""
