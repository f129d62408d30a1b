"""Change over time: the network in force on a date, scores as of a date, named snapshots."""
