"""Command-line entry points (`jinghai ...`)."""
