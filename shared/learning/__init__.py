"""The learning domain: the national award ladder, hours as whole minutes, and stamp codes. Pure, no I/O."""
