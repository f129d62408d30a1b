"""Scenarios: the questions leaders bring, answered from the map as it stands today.

Trusted route (routes.py): the most reliable chain of introductions from one
person to another, with alternatives that share no intermediary. Who to put in
the room (room.py): the smallest set of people who together reach every chosen
partner, and the best set of a given size. Pages in views.py; the algorithms
are pure, in stakeholders.analysis.routes and stakeholders.analysis.coverage.
"""
