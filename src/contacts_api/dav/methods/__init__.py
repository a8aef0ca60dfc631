"""One module per HTTP method, each a function of the resolved `Resource`."""
