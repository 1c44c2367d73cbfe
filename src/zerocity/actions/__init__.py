"""Carbon actions by sector: buildings, transport, data centres."""
