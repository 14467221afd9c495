"""The demo site: its data in `data/` and `load_demo`, which puts it together from every app."""
