"""The Azure SDK for Python's management models of one exact API version, as property-name schemas.

Each resource type the templates use maps to an SDK package and model class (MODELS). The models describe one
API version: a multi-API package has a subpackage per version (`azure.mgmt.web.v2024_04_01`), a single-API
package describes the version its client defaults to. `models_for` finds the models of exactly the version a
template names, or None, so a property is checked against the API version that will deploy it and not a newer
one (ARM ignores many properties an API version does not have, so a setting can be silently lost).

Two generations of generated models are read: msrest models (`_attribute_map`, REST keys such as
`properties.siteConfig` flattened with dots, `_subtype_map` for polymorphic types) and the newer ones
(`_RestField` attributes with nested `properties` models).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

# Resource type -> (SDK package, model class of the resource body that a deployment sends).
MODELS = {
    "Microsoft.Web/sites": ("azure.mgmt.web", "Site"),
    "Microsoft.Web/serverfarms": ("azure.mgmt.web", "AppServicePlan"),
    "Microsoft.Web/sites/config": ("azure.mgmt.web", "StringDictionary"),
    "Microsoft.Web/sites/basicPublishingCredentialsPolicies": (
        "azure.mgmt.web", "CsmPublishingCredentialsPoliciesEntity"),
    "Microsoft.Storage/storageAccounts": ("azure.mgmt.storage", "StorageAccountCreateParameters"),
    "Microsoft.Storage/storageAccounts/blobServices": ("azure.mgmt.storage", "BlobServiceProperties"),
    "Microsoft.Storage/storageAccounts/tableServices": ("azure.mgmt.storage", "TableServiceProperties"),
    "Microsoft.Storage/storageAccounts/queueServices": ("azure.mgmt.storage", "QueueServiceProperties"),
    "Microsoft.Storage/storageAccounts/blobServices/containers": ("azure.mgmt.storage", "BlobContainer"),
    "Microsoft.Storage/storageAccounts/managementPolicies": ("azure.mgmt.storage", "ManagementPolicy"),
    "Microsoft.KeyVault/vaults": ("azure.mgmt.keyvault", "VaultCreateOrUpdateParameters"),
    "Microsoft.KeyVault/vaults/secrets": ("azure.mgmt.keyvault", "SecretCreateOrUpdateParameters"),
    "Microsoft.OperationalInsights/workspaces": ("azure.mgmt.loganalytics", "Workspace"),
    "Microsoft.OperationalInsights/workspaces/tables": ("azure.mgmt.loganalytics", "Table"),
    "Microsoft.Communication/communicationServices": ("azure.mgmt.communication", "CommunicationServiceResource"),
    "Microsoft.Communication/emailServices": ("azure.mgmt.communication", "EmailServiceResource"),
    "Microsoft.Communication/emailServices/domains": ("azure.mgmt.communication", "DomainResource"),
    "Microsoft.EventGrid/systemTopics": ("azure.mgmt.eventgrid", "SystemTopic"),
    "Microsoft.EventGrid/systemTopics/eventSubscriptions": ("azure.mgmt.eventgrid", "EventSubscription"),
    "Microsoft.Insights/components": ("azure.mgmt.applicationinsights", "ApplicationInsightsComponent"),
    "Microsoft.Insights/diagnosticSettings": ("azure.mgmt.monitor", "DiagnosticSettingsResource"),
    "Microsoft.Authorization/roleAssignments": ("azure.mgmt.authorization", "RoleAssignmentCreateParameters"),
    "Microsoft.Authorization/roleDefinitions": ("azure.mgmt.authorization", "RoleDefinition"),
    "Microsoft.Authorization/policyAssignments": ("azure.mgmt.resource.policy", "PolicyAssignment"),
    "Microsoft.Resources/resourceGroups": ("azure.mgmt.resource.resources", "ResourceGroup"),
    "Microsoft.ManagedIdentity/userAssignedIdentities": ("azure.mgmt.msi", "Identity"),
}

_DEFAULT_VERSION = re.compile(r"""kwargs\.pop\(\s*["']api_version["']\s*,\s*["']([0-9a-z-]+)["']\s*\)""")


def single_api_version(package: str) -> str | None:
    """The API version a single-API package's client uses (None for a multi-API package)."""
    spec = importlib.util.find_spec(f"{package}._configuration")
    if spec is None or spec.origin is None:
        return None
    match = _DEFAULT_VERSION.search(Path(spec.origin).read_text(encoding="utf-8"))
    return match.group(1) if match else None


def models_for(package: str, api_version: str) -> ModuleType | None:
    """The models module describing exactly `api_version`, or None when the installed package has none."""
    versioned = f"{package}.v{api_version.replace('-', '_')}"
    if importlib.util.find_spec(package) is None:
        return None
    if importlib.util.find_spec(versioned) is not None:
        return importlib.import_module(f"{versioned}.models")
    if single_api_version(package) == api_version:
        return importlib.import_module(f"{package}.models")
    return None


@dataclass
class Slot:
    """One property: a plain value (schema None) or an object, a list of objects or a map of objects."""

    schema: Schema | None = None
    container: str = ""  # "", "list" or "map"


@dataclass
class Schema:
    """The properties an object may have; `variants` are the subtypes of a polymorphic type by discriminator."""

    slots: dict[str, Slot] = field(default_factory=dict)
    discriminator: str | None = None
    variants: dict[str, typing.Callable[[], Schema]] = field(default_factory=dict)


def schema(models: ModuleType, model: type) -> Schema:
    return _schema(models, model)


@cache
def _schema(models: ModuleType, model: type) -> Schema:
    if "_attribute_map" in vars(model) or hasattr(model, "_attribute_map"):
        return _msrest_schema(models, model)
    return _rest_field_schema(models, model)


def _msrest_type(models: ModuleType, type_name: str) -> Slot:
    container = ""
    if type_name.startswith("[") and type_name.endswith("]"):
        container, type_name = "list", type_name[1:-1]
    elif type_name.startswith("{") and type_name.endswith("}"):
        container, type_name = "map", type_name[1:-1]
    model = getattr(models, type_name, None)
    if isinstance(model, type) and hasattr(model, "_attribute_map"):
        return Slot(_LazySchema(models, model), container)
    return Slot(None, container)


def _msrest_schema(models: ModuleType, model: type) -> Schema:
    root = Schema()
    for attribute in model._attribute_map.values():
        path = [part.replace("\\.", ".") for part in re.split(r"(?<!\\)\.", attribute["key"])]
        node = root
        for part in path[:-1]:  # a flattened key: `properties.siteConfig` is siteConfig inside properties
            slot = node.slots.setdefault(part, Slot(Schema()))
            assert isinstance(slot.schema, Schema), f"{model.__name__}: {attribute['key']} under a typed value"
            node = slot.schema
        node.slots[path[-1]] = _msrest_type(models, attribute["type"])
    subtypes = getattr(model, "_subtype_map", None) or {}
    for attribute, variants in subtypes.items():
        root.discriminator = model._attribute_map[attribute]["key"]
        root.variants = {
            value: (lambda name=name: _schema(models, getattr(models, name))) for value, name in variants.items()
        }
    return root


def _rest_field_schema(models: ModuleType, model: type) -> Schema:
    root = Schema()
    for klass in reversed(model.__mro__):
        hints = vars(klass).get("__annotations__", {})
        for attribute, value in vars(klass).items():
            if type(value).__name__ not in ("_RestField", "_RestDiscriminator"):
                continue
            annotation = str(hints.get(attribute, ""))
            nested = re.search(r"_models\.(\w+)", annotation)
            target = getattr(models, nested.group(1), None) if nested else None
            container = "map" if "dict[str" in annotation else "list" if "list[" in annotation else ""
            is_model = isinstance(target, type) and any(
                type(v).__name__ == "_RestField" for k in target.__mro__ for v in vars(k).values()
            )
            root.slots[value._rest_name_input or attribute] = Slot(
                _LazySchema(models, target) if is_model else None, container
            )
    return root


class _LazySchema:
    """A nested model's schema, built when first needed (models refer to each other, sometimes in cycles)."""

    def __init__(self, models: ModuleType, model: type) -> None:
        self.models, self.model = models, model

    def resolve(self) -> Schema:
        return _schema(self.models, self.model)


def _resolved(value: Schema | _LazySchema) -> Schema:
    return value if isinstance(value, Schema) else value.resolve()


EXPRESSION_KEYS = {"function", "operator", "loop_type"}


def is_expression(value: typing.Any) -> bool:
    """A pycep expression node (a function call, an operator, a loop), not an object literal."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in EXPRESSION_KEYS


def unknown_properties(value: typing.Any, shape: Schema | _LazySchema, where: str) -> list[str]:
    """Paths of the keys in a (pycep-parsed) Bicep object literal that the schema does not have."""
    if not isinstance(value, dict) or is_expression(value):
        return []
    shape = _resolved(shape)
    if shape.discriminator and isinstance(value.get(shape.discriminator), str):
        chosen = value[shape.discriminator].strip("'")
        if chosen in shape.variants:
            shape = shape.variants[chosen]()
    problems = []
    for key, inner in value.items():
        name = key.strip("'")
        slot = shape.slots.get(name)
        if slot is None:
            problems.append(f"{where}.{name}")
            continue
        if slot.schema is None:
            continue
        if slot.container == "list" and isinstance(inner, list):
            items = inner
        elif slot.container == "map" and isinstance(inner, dict) and not is_expression(inner):
            items = list(inner.values())
        else:
            items = [inner]
        for item in items:
            problems += unknown_properties(item, slot.schema, f"{where}.{name}")
    return problems
