"""The web door: pages for people, JSON for programs; both over the same services."""
