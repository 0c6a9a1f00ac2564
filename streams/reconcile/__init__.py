"""Post-match reconciliation (the stored log against the vendor's REST list) and the
corrections audit (every correction the log holds, across fixtures)."""
