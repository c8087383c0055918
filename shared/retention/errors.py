"""How a retention run fails."""


class RetentionErrors(RuntimeError):
    """Some items failed. Everything else was done and the run record counts the failures by type."""


class LeaseLost(RuntimeError):
    """Another run took the lease over (ours had lapsed); this run must stop writing at once."""
