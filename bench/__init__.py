"""`make bench`: the portal's speed figures, measured in one run and printed as one table."""
