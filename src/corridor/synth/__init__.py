"""The corridor simulator (``corridor synth``): people, journeys, records and truth."""
