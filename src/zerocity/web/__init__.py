"""The web dashboard: pages, charts and live views served by ``zerocity serve``."""
