"""Errors a user caused: printed as one line, exit code 2, nothing written."""


class UserError(Exception):
    """Bad input or a missing prerequisite, explained in one line."""
