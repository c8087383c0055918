"""Moving school: a leaver's learning record passes to their record at the new school, once."""
