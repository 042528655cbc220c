"""Jinghai (净海): the platform of a coastal task force against illegal entry by sea."""

__version__ = "0.1.0"
