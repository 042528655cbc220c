"""Owners' entry and exit reports of fishing vessels (进出港报告): models, service, import."""
