"""What an action means: its kind (from the feed's names, not its ids) and how it is drawn."""
