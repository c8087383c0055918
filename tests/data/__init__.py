"""Sample MIS exports (fictional pupils) and the generators that produce them."""
