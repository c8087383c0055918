"""Operator commands: `python -m shared.cli <command>`.

bootstrap-admin  create the first trust admin of a new deployment and print their invitation link.
                 Runs against whatever storage the app settings name (Azurite locally; in Azure set
                 AzureWebJobsStorage__accountName and sign in with `az login` so DefaultAzureCredential works).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from shared.errors import DomainError
from shared.organisation.schemas import StaffIn
from shared.organisation.service import create_trust_admin


def _bootstrap_admin(args: argparse.Namespace) -> int:
    try:
        body = StaffIn(first_name=args.first_name, last_name=args.last_name, nickname=args.nickname,
                       email=args.email, phone=args.phone)
    except ValidationError as exc:
        for err in exc.errors(include_input=False):
            print(f"error: {'.'.join(map(str, err['loc']))}: {err['msg']}", file=sys.stderr)
        return 2
    try:
        created = create_trust_admin(body)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    print(f"Trust admin created (id {created.id}).")
    print(f"Send them this one-time invitation link (valid until {created.invitation_expires_at}):")
    print(created.invitation_url)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    boot = sub.add_parser("bootstrap-admin", help="create the first trust admin and print their invitation link")
    boot.add_argument("--first-name", required=True)
    boot.add_argument("--last-name", required=True)
    boot.add_argument("--nickname", required=True)
    boot.add_argument("--email", required=True)
    boot.add_argument("--phone")
    boot.set_defaults(run=_bootstrap_admin)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
