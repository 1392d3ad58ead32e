"""Amcrest / Dahua HTTP API integration for Home Assistant."""
