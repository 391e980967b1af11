"""The git/GitHub agent: publish one ShipRequest (plain values: repository, base, patch, message, pull
request text) as a commit on a branch, and on GitHub a pull request. It knows nothing of the
database; shipping/ reads the champion and its evidence, builds the request and records the outcome.
"""
