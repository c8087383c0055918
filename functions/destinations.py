"""Learning destinations: the places and programmes activities belong to."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import destinations
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("destinations",)
MANAGERS = (Role.TRUST_ADMIN, Role.PARTNER_MANAGER)


@endpoint(bp, name="destinations_create", method="POST", route="destinations",
          summary="Add a learning destination (a partner's; without partner_id a national one, Trust only)",
          roles=MANAGERS, request=destinations.DestinationIn, response=destinations.DestinationOut, status=201,
          errors=(404,), tags=TAGS)
def create_destination(call: HttpCall) -> destinations.DestinationOut:
    return destinations.create_destination(call.caller, call.body)


@endpoint(bp, name="destinations_list", method="GET", route="destinations",
          summary="A partner's learning destinations (without partner_id: the national ones)", roles=STAFF_ROLES,
          query=destinations.DestinationQuery, response=destinations.DestinationList, errors=(404,), tags=TAGS)
def list_destinations(call: HttpCall) -> destinations.DestinationList:
    return destinations.list_destinations(call.caller, call.query)


@endpoint(bp, name="destination_update", method="PATCH", route="destinations/{destination_id}",
          summary="Change a learning destination's details, or pause it (its activities leave the offer)",
          roles=MANAGERS, request=destinations.DestinationPatch, response=destinations.DestinationOut,
          errors=(404,), tags=TAGS)
def update_destination(call: HttpCall) -> destinations.DestinationOut:
    return destinations.update_destination(call.caller, call.route["destination_id"], call.body)
