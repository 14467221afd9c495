"""Shared pieces every app may use: no models, no imports of the apps."""
