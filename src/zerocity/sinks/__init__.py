"""Carbon sinks and the net balance: land use (IPCC AFOLU), vegetation from remote sensing, urban trees."""
