"""OAI-PMH 2.0 at /oai/: the depository's published entries for harvesters (docs/oai-and-api.md)."""
