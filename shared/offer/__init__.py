"""Something to do for every child: what is offered to whom (`rules`, pure)."""
