"""Shipping a variant, the application service: it reads the champion and its evidence from the
database, hands the git/GitHub agent (agents/ship) plain values to publish, and records the outcome.

Above both agents and db (which must not import each other's way up): the CLI, the dashboard and the
shipped_change asset all ship through shipping.service.ship_change.
"""
