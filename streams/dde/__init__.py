"""Client for the IMG Arena DDE soccer Live Actions feed and REST API; no Django here."""
