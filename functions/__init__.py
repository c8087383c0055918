"""One Blueprint per area. Triggers parse input, call one service in shared/, render the result."""
