"""The Azure templates keep the DPIA's promises: UK only, no keys, identity everywhere, the triggers wired.

The Bicep CLI is not available here. These tests read infra/ and azure.yaml as text: a small scanner strips
comments and finds each `resource` / `module` block by matching braces; the assertions are on the properties
inside those blocks. tests/infra/test_bicep_parsed.py parses every file with a real Bicep parser and checks
what applies to every resource (symbols, API versions, property names, Flex rules, diagnostic settings).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
MODULES = INFRA / "modules"
POSTDEPLOY = INFRA / "postdeploy"
UK_REGIONS = ["uksouth", "ukwest"]

STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
ALLOWED_LOCATIONS_POLICY = "e56962a6-4747-49cd-b67b-bf8b01975c4c"

# Every other public, sovereign and government Azure region, by display name; a pattern built from the
# words also matches the programmatic name ("West Europe" and "westeurope").
OTHER_REGIONS = [
    "East US", "East US 2", "West US", "West US 2", "West US 3", "Central US", "North Central US",
    "South Central US", "West Central US", "Canada Central", "Canada East", "Brazil South", "Brazil Southeast",
    "Mexico Central", "Chile Central", "North Europe", "West Europe", "France Central", "France South",
    "Germany West Central", "Germany North", "Norway East", "Norway West", "Sweden Central", "Sweden South",
    "Switzerland North", "Switzerland West", "Poland Central", "Italy North", "Spain Central", "Austria East",
    "Belgium Central", "Denmark East", "UAE North", "UAE Central", "Qatar Central", "Israel Central",
    "South Africa North", "South Africa West", "Central India", "South India", "West India", "Jio India West",
    "Jio India Central", "East Asia", "Southeast Asia", "Japan East", "Japan West", "Korea Central",
    "Korea South", "Australia East", "Australia Southeast", "Australia Central", "Australia Central 2",
    "New Zealand North", "Indonesia Central", "Malaysia West", "Taiwan North", "China East", "China East 2",
    "China North", "China North 2", "US Gov Virginia", "US Gov Arizona", "US Gov Texas", "US DoD East",
    "US DoD Central",
]

# Settings the Functions host reads itself; every other app setting must be one shared/settings.py reads.
HOST_SETTINGS = {
    "AzureWebJobsStorage__credential",
    "AzureWebJobsDisableHomepage",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}
# Flex Consumption takes the runtime and the package from functionAppConfig and rejects these.
FLEX_REJECTED_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "WEBSITE_CONTENTSHARE",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
}


# --- reading Bicep -------------------------------------------------------------------------------------


def strip_comments(text: str) -> str:
    """Drop // and /* */ comments, leaving single-quoted strings (which may hold https://) intact."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == "'":
                in_string = False
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        else:
            if ch == "'":
                in_string = True
            out.append(ch)
            i += 1
    return "".join(out)


def balanced_block(text: str, open_at: int) -> str:
    """The text from the `{` at open_at to its matching `}` (interpolations `${...}` balance too)."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[open_at : i + 1]
    raise AssertionError(f"unbalanced braces from offset {open_at}")


@dataclass(frozen=True)
class Declaration:
    symbol: str
    target: str  # resource type@version, or module path
    existing: bool
    condition: str | None
    body: str


DECLARATION = re.compile(
    r"^(resource|module)\s+(\w+)\s+'([^']+)'(\s+existing)?\s*=\s*(if\s*\((.*?)\)\s*)?(\[|\{)", re.MULTILINE
)


@cache
def source(path: Path) -> str:
    return strip_comments(path.read_text(encoding="utf-8"))


def declarations(path: Path, kind: str) -> list[Declaration]:
    text = source(path)
    found = []
    for match in DECLARATION.finditer(text):
        if match.group(1) == kind:
            brace = text.index("{", match.end() - 1)
            symbol, target, existing, condition = match.group(2), match.group(3), bool(match.group(4)), match.group(6)
            found.append(Declaration(symbol, target, existing, condition, balanced_block(text, brace)))
    return found


def resources(type_name: str, path: Path | None = None) -> list[Declaration]:
    """Resources of a type that the templates create (`existing` references are left out)."""
    paths = [path] if path else bicep_files()
    return [
        r for p in paths for r in declarations(p, "resource")
        if r.target.split("@")[0].lower() == type_name.lower() and not r.existing
    ]


def the_resource(type_name: str, path: Path | None = None) -> Declaration:
    found = resources(type_name, path)
    assert len(found) == 1, f"expected one {type_name}, found {len(found)}"
    return found[0]


def modules_of_main() -> dict[str, Declaration]:
    return {m.symbol: m for m in declarations(INFRA / "main.bicep", "module")}


def module_path(module: Declaration) -> Path:
    return INFRA / module.target


def prop(body: str, name: str) -> str:
    """The value of the first `name: value` line in a block (quotes kept)."""
    match = re.search(rf"^\s*'?{re.escape(name)}'?\s*:\s*(.+?)\s*$", body, re.MULTILINE)
    assert match, f"no {name} in block"
    return match.group(1)


def sub_block(body: str, key: str) -> str:
    """The `{ ... }` value of the first `key: {` in a block."""
    match = re.search(rf"^\s*{re.escape(key)}:\s*\{{", body, re.MULTILINE)
    assert match, f"no {key} block"
    return balanced_block(body, match.end() - 1)


def top_level_keys(block: str) -> dict[str, str]:
    """`key: value` pairs directly inside a `{ ... }` block (nested blocks are skipped)."""
    keys: dict[str, str] = {}
    depth = 0
    for line in block.splitlines():
        stripped = line.strip()
        if depth == 1:
            match = re.match(r"'?([\w-]+)'?\s*:\s*(.*)$", stripped)
            if match:
                keys[match.group(1)] = match.group(2)
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
    return keys


def params_block(body: str) -> str:
    return sub_block(body, "params")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    decorators: str


def declared_params(path: Path) -> dict[str, Param]:
    params = {}
    decorators: list[str] = []
    open_parens = 0
    for line in source(path).splitlines():
        stripped = line.strip()
        if open_parens or stripped.startswith("@"):
            decorators.append(stripped)
            open_parens += stripped.count("(") - stripped.count(")")
            continue
        match = re.match(r"param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+?))?\s*$", stripped)
        if match:
            params[match.group(1)] = Param(match.group(1), match.group(2), match.group(3), "\n".join(decorators))
        if stripped:
            decorators = []
    return params


def declared_outputs(path: Path) -> dict[str, str]:
    return {
        m.group(1): m.group(3)
        for m in re.finditer(r"^output\s+(\w+)\s+(\w+)\s*=\s*(.+)$", source(path), re.MULTILINE)
    }


def bicep_files() -> list[Path]:
    return sorted(INFRA.rglob("*.bicep"))


def app_settings() -> dict[str, str]:
    """The settings functionapp.bicep manages (always, and SSO when its parameters are given)."""
    text = source(MODULES / "functionapp.bicep")
    settings = {}
    for var in ("managedSettings", "ssoSettings"):
        match = re.search(rf"^var {var} = ", text, re.MULTILINE)
        block = text[match.end():]
        block = block[: block.index("\n\n")]  # the declaration ends at the first blank line
        for opening in re.finditer(r"\{", block):
            inner = balanced_block(block, opening.start())
            if re.search(r"^\s*\w+:", inner, re.MULTILINE):
                settings.update(top_level_keys(inner))
            if var == "managedSettings":
                break
        assert settings
    return settings


def main_params_file() -> dict:
    return json.loads((INFRA / "main.parameters.json").read_text(encoding="utf-8"))


# --- reading azure.yaml (PyYAML is not a dependency: a mapping-only subset is enough) -------------------


def read_simple_yaml(text: str) -> dict:
    root: dict = {}
    stack: list[tuple[int, dict]] = [(-1, root)]
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        key, _, value = raw.strip().partition(":")
        value = value.strip()
        while indent <= stack[-1][0]:
            stack.pop()
        parent = stack[-1][1]
        if value:
            if value[0] in "'\"" and value[-1] == value[0]:
                value = value[1:-1]
            parent[key] = value
        else:
            parent[key] = {}
            stack.append((indent, parent[key]))
    return root


@cache
def azure_yaml() -> dict:
    return read_simple_yaml((ROOT / "azure.yaml").read_text(encoding="utf-8"))


# --- UK only -------------------------------------------------------------------------------------------


def test_location_parameter_allows_only_uk_south_and_uk_west_and_defaults_to_uk_south():
    location = declared_params(INFRA / "main.bicep")["location"]

    allowed = re.search(r"@allowed\(\[(.*?)\]\)", location.decorators, re.DOTALL)
    assert allowed and re.findall(r"'(\w+)'", allowed.group(1)) == UK_REGIONS
    assert location.default == "'uksouth'"


def test_every_resource_and_module_is_placed_in_the_location_parameter():
    placements = [
        (path.name, value)
        for path in bicep_files()
        if path != EMAIL_MODULE
        for value in re.findall(r"^\s*location:\s*(.+?)\s*$", source(path), re.MULTILINE)
    ]

    assert placements
    assert all(value == "location" for _, value in placements), placements


EMAIL_MODULE = MODULES / "email.bicep"


def test_email_resources_are_global_with_their_data_kept_in_the_uk():
    # Communication Services exist only as global resources; where their data rests is `dataLocation`.
    for kind in ("Microsoft.Communication/emailServices", "Microsoft.Communication/communicationServices"):
        resource = the_resource(kind, EMAIL_MODULE)
        assert prop(resource.body, "location") == "'global'"
        assert prop(sub_block(resource.body, "properties"), "dataLocation") == "'UK'"
    assert prop(sub_block(the_resource("Microsoft.Communication/communicationServices", EMAIL_MODULE).body,
                          "properties"), "disableLocalAuth") == "true"


def test_the_app_sends_email_with_its_identity_and_a_role_that_only_sends():
    role = the_resource("Microsoft.Authorization/roleDefinitions", EMAIL_MODULE)
    actions = re.findall(r"'(Microsoft\.Communication/[^']+)'", role.body)
    assert sorted(actions) == ["Microsoft.Communication/CommunicationServices/Read",
                               "Microsoft.Communication/CommunicationServices/Write",
                               "Microsoft.Communication/EmailServices/write"]
    settings = app_settings()
    assert settings["MAIL_CLIENT_ID"] == "identityClientId" and settings["MAIL_ACS_ENDPOINT"] == "mailAcsEndpoint"
    assert prop(modules_of_main()["email"].body, "scope") == "rg"


def test_the_custom_email_role_is_assigned_by_a_module_that_runs_after_the_function_app():
    # A new role definition takes minutes to replicate; assigning it in the same step fails now and then with
    # RoleDefinitionDoesNotExist. The definition and the assignment are in different modules, and the assigning
    # one waits for the definition's output and for the Function App module.
    modules = modules_of_main()
    defining = [
        m.symbol for m in modules.values() if resources("Microsoft.Authorization/roleDefinitions", module_path(m))
    ]
    custom_assignments = [
        (m.symbol, prop(a.body, "roleDefinitionId"))
        for m in modules.values()
        for a in resources("Microsoft.Authorization/roleAssignments", module_path(m))
        if "subscriptionResourceId(" not in prop(a.body, "roleDefinitionId")
    ]

    assert defining == ["email"]
    assert custom_assignments == [("emailSender", "sendEmailRoleDefinitionId")]
    sender = modules["emailSender"]
    assert prop(params_block(sender.body), "sendEmailRoleDefinitionId") == "email.outputs.sendEmailRoleDefinitionId"
    depends_on = re.search(r"dependsOn:\s*\[(.*?)\]", sender.body, re.DOTALL)
    assert depends_on and "functionApp" in depends_on.group(1).split()


def test_the_custom_role_name_is_unique_in_the_tenant():
    # Custom role names are unique per tenant: a name made only of the resource group's name collides with the
    # same environment name in another subscription.
    role = the_resource("Microsoft.Authorization/roleDefinitions")
    role_name = prop(sub_block(role.body, "properties"), "roleName")
    module = source(EMAIL_MODULE)

    interpolated = [
        re.search(rf"^var {name} = (.+)$", module, re.MULTILINE).group(1) if re.fullmatch(r"\w+", name) else name
        for name in re.findall(r"\$\{([^}]+)\}", role_name)
    ]
    assert any("guid(" in value and ("resourceGroup().id" in value or "subscription().id" in value)
               for value in interpolated), role_name


def test_modules_take_their_location_from_the_caller_without_a_default():
    for path in sorted(MODULES.glob("*.bicep")):
        location = declared_params(path).get("location")
        if location:
            assert location.default is None, path.name


def test_no_other_azure_region_is_named_anywhere_in_infra_or_azure_yaml():
    files = [p for p in INFRA.rglob("*") if p.is_file()] + [ROOT / "azure.yaml"]
    patterns = {name: re.compile(r"\b" + r"\s*".join(name.split()) + r"\b", re.IGNORECASE) for name in OTHER_REGIONS}

    mentions = [
        (path.relative_to(ROOT).as_posix(), name)
        for path in files
        for name, pattern in patterns.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]

    assert mentions == []


def test_resource_group_carries_the_built_in_allowed_locations_policy_for_uk_regions_only():
    assignment = the_resource("Microsoft.Authorization/policyAssignments", MODULES / "policy.bicep")
    policy_module = modules_of_main()["policy"]
    main = source(INFRA / "main.bicep")

    assert re.search(
        rf"tenantResourceId\(\s*'Microsoft.Authorization/policyDefinitions',\s*'{ALLOWED_LOCATIONS_POLICY}'\s*\)",
        source(MODULES / "policy.bicep"),
    )
    assert prop(assignment.body, "policyDefinitionId") == "allowedLocationsDefinitionId"
    assert prop(assignment.body, "enforcementMode") == "'Default'"
    assert re.search(r"listOfAllowedLocations:\s*\{\s*value:\s*allowedLocations\s*\}", assignment.body)
    assert module_path(policy_module) == MODULES / "policy.bicep"
    assert prop(policy_module.body, "scope") == "rg"
    assert prop(policy_module.body, "allowedLocations") == "ukRegions"
    uk_regions = re.search(r"^var ukRegions = \[(.*?)\]", main, re.MULTILINE | re.DOTALL)
    assert re.findall(r"'(\w+)'", uk_regions.group(1)) == UK_REGIONS


# --- storage -------------------------------------------------------------------------------------------


def test_storage_account_refuses_shared_keys_public_blobs_plain_http_and_old_tls():
    account = the_resource("Microsoft.Storage/storageAccounts")

    assert prop(account.body, "kind") == "'StorageV2'"
    assert prop(account.body, "allowSharedKeyAccess") == "false"
    assert prop(account.body, "allowBlobPublicAccess") == "false"
    assert prop(account.body, "minimumTlsVersion") == "'TLS1_2'"
    assert prop(account.body, "supportsHttpsTrafficOnly") == "true"
    assert prop(account.body, "defaultToOAuthAuthentication") == "true"


def test_storage_is_zone_redundant_in_uk_south_and_locally_redundant_in_uk_west():
    account = the_resource("Microsoft.Storage/storageAccounts")

    assert prop(sub_block(account.body, "sku"), "name") == "location == 'uksouth' ? 'Standard_ZRS' : 'Standard_LRS'"


def test_storage_holds_the_mis_containers_and_the_flex_deployment_container():
    storage = source(MODULES / "storage.bicep")
    containers = the_resource("Microsoft.Storage/storageAccounts/blobServices/containers")

    data = re.search(r"^var dataContainerNames = \[(.*?)\]", storage, re.MULTILINE | re.DOTALL)
    assert re.findall(r"'([\w-]+)'", data.group(1)) == ["mis-uploads", "mis-reports"]
    assert "for containerName in concat(dataContainerNames, [deploymentContainerName])" in storage
    assert prop(containers.body, "publicAccess") == "'None'"
    assert prop(modules_of_main()["storage"].body, "deploymentContainerName") == "deploymentContainerName"


def test_blob_soft_delete_is_one_day_and_versioning_is_off_so_erasure_completes():
    blob_service = the_resource("Microsoft.Storage/storageAccounts/blobServices")

    assert re.search(r"deleteRetentionPolicy:\s*\{\s*enabled:\s*true\s*days:\s*1\s*\}", blob_service.body)
    assert re.search(r"containerDeleteRetentionPolicy:\s*\{\s*enabled:\s*true\s*days:\s*1\s*\}", blob_service.body)
    assert prop(blob_service.body, "isVersioningEnabled") == "false"
    assert "erasure must be complete" in (MODULES / "storage.bicep").read_text(encoding="utf-8")


def test_unprocessed_mis_uploads_are_expired_by_a_lifecycle_rule_as_a_backstop():
    lifecycle = the_resource("Microsoft.Storage/storageAccounts/managementPolicies")

    assert re.search(r"prefixMatch:\s*\[\s*'mis-uploads/'\s*\]", lifecycle.body)
    assert prop(lifecycle.body, "daysAfterModificationGreaterThan") == "2"


# --- identity and roles --------------------------------------------------------------------------------


def test_function_identity_holds_blob_owner_queue_and_table_contributor_on_the_storage_account():
    roles = source(MODULES / "roles.bicep")
    storage_roles = next(
        r for r in resources("Microsoft.Authorization/roleAssignments", MODULES / "roles.bicep")
        if prop(r.body, "scope") == "storage"
    )

    role_ids = re.search(r"^var storageDataRoleIds = \[(.*?)\]", roles, re.MULTILINE | re.DOTALL)
    assert re.findall(r"'([0-9a-f-]{36})'", role_ids.group(1)) == [
        STORAGE_BLOB_DATA_OWNER, STORAGE_QUEUE_DATA_CONTRIBUTOR, STORAGE_TABLE_DATA_CONTRIBUTOR,
    ]
    assert "for roleId in storageDataRoleIds" in roles
    assert prop(storage_roles.body, "principalId") == "principalId"
    assert prop(modules_of_main()["roles"].body, "principalId") == "identity.outputs.principalId"


def test_function_identity_reads_key_vault_secrets_and_publishes_telemetry():
    assignments = {
        prop(r.body, "scope"): prop(r.body, "roleDefinitionId")
        for r in resources("Microsoft.Authorization/roleAssignments", MODULES / "roles.bicep")
    }
    roles = source(MODULES / "roles.bicep")

    assert f"var keyVaultSecretsUserRoleId = '{KEY_VAULT_SECRETS_USER}'" in roles
    assert f"var monitoringMetricsPublisherRoleId = '{MONITORING_METRICS_PUBLISHER}'" in roles
    assert "keyVaultSecretsUserRoleId" in assignments["vault"]
    assert "monitoringMetricsPublisherRoleId" in assignments["appInsights"]


def test_only_the_service_identity_is_granted_roles_never_a_person():
    for assignment in resources("Microsoft.Authorization/roleAssignments"):
        assert prop(assignment.body, "principalType") == "'ServicePrincipal'"
    all_infra = "".join(source(p) for p in bicep_files())
    assert "deployer()" not in all_infra
    assert "principalId" not in declared_params(INFRA / "main.bicep")


def test_function_app_runs_as_the_user_assigned_identity():
    site = the_resource("Microsoft.Web/sites")
    identity = the_resource("Microsoft.ManagedIdentity/userAssignedIdentities")

    assert prop(sub_block(site.body, "identity"), "type") == "'UserAssigned'"
    assert "'${identityId}': {}" in site.body
    assert prop(modules_of_main()["functionApp"].body, "identityId") == "identity.outputs.id"
    assert prop(identity.body, "location") == "location"


# --- the Function App ----------------------------------------------------------------------------------


def test_function_app_runs_python_3_11_on_a_flex_consumption_plan():
    plan = the_resource("Microsoft.Web/serverfarms")
    site = the_resource("Microsoft.Web/sites")
    runtime = sub_block(site.body, "runtime")

    assert re.search(r"sku:\s*\{\s*name:\s*'FC1'\s*tier:\s*'FlexConsumption'\s*\}", plan.body)
    assert prop(plan.body, "reserved") == "true"
    assert prop(site.body, "kind") == "'functionapp,linux'"
    assert prop(runtime, "name") == "'python'"
    assert prop(runtime, "version") == "'3.11'"
    assert prop(site.body, "instanceMemoryMB") == "instanceMemoryMB"
    assert prop(site.body, "maximumInstanceCount") == "maximumInstanceCount"
    main_params = declared_params(INFRA / "main.bicep")
    assert main_params["instanceMemoryMB"].default == "2048"
    assert main_params["maximumInstanceCount"].default is not None


def test_flex_deployment_package_is_fetched_from_blob_storage_with_the_user_assigned_identity():
    site = the_resource("Microsoft.Web/sites")
    deployment = sub_block(site.body, "deployment")

    assert prop(deployment, "type") == "'blobContainer'"
    assert prop(deployment, "value") == "'${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'"
    assert re.search(
        r"authentication:\s*\{\s*type:\s*'UserAssignedIdentity'\s*userAssignedIdentityResourceId:\s*identityId\s*\}",
        deployment,
    )


def test_function_app_accepts_only_https_with_tls_1_2_and_no_ftp_or_basic_auth_publishing():
    site = the_resource("Microsoft.Web/sites")
    basic_auth = resources("Microsoft.Web/sites/basicPublishingCredentialsPolicies")

    assert prop(site.body, "httpsOnly") == "true"
    assert prop(site.body, "minTlsVersion") == "'1.2'"
    assert "ftpsState" not in site.body  # Flex Consumption rejects it; FTP is off through the policies below
    assert sorted(prop(p.body, "name") for p in basic_auth) == ["'ftp'", "'scm'"]
    assert all(prop(p.body, "allow") == "false" for p in basic_auth)


def test_cors_origins_come_from_a_parameter_and_reach_both_the_platform_and_the_app():
    site = the_resource("Microsoft.Web/sites")

    assert re.search(r"cors:\s*\{\s*allowedOrigins:\s*corsAllowedOrigins\b", site.body)
    assert app_settings()["CORS_ALLOWED_ORIGINS"] == "join(corsAllowedOrigins, ',')"
    assert prop(modules_of_main()["functionApp"].body, "corsAllowedOrigins") == "corsOrigins"
    assert "split(corsAllowedOrigins, ',')" in source(INFRA / "main.bicep")
    assert declared_params(INFRA / "main.bicep")["corsAllowedOrigins"].default == "''"


def test_function_app_is_tagged_as_the_azd_api_service():
    site = the_resource("Microsoft.Web/sites")

    assert re.search(r"tags:\s*union\(tags,\s*\{\s*'azd-service-name':\s*'api'\s*\}\)", site.body)


# --- app settings --------------------------------------------------------------------------------------


def test_host_storage_is_reached_with_the_managed_identity():
    settings = app_settings()

    assert settings["AzureWebJobsStorage__accountName"] == "storage.name"
    assert settings["AzureWebJobsStorage__credential"] == "'managedidentity'"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert "AzureWebJobsStorage" not in settings


def test_no_account_key_connection_string_or_sas_appears_anywhere_in_infra():
    for path in bicep_files():
        text = source(path)
        for forbidden in ("AccountKey", "DefaultEndpointsProtocol", "SharedAccessSignature", "listAccountSas",
                          "listServiceSas", "listConnectionStrings", ".listKeys("):
            assert forbidden not in text, f"{forbidden} in {path.name}"


def test_the_only_list_keys_call_reads_the_function_hosts_blob_extension_key():
    calls = [
        (path.name, match.group(1))
        for path in bicep_files()
        for match in re.finditer(r"listKeys\((.*?)\)\.", source(path))
    ]

    assert calls == [
        ("mis-upload-subscription.bicep",
         "resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), '2024-04-01'"),
    ]


def test_token_signing_key_is_a_key_vault_reference_resolved_by_the_user_assigned_identity():
    site = the_resource("Microsoft.Web/sites")
    secret_uri = declared_outputs(MODULES / "keyvault.bicep")["tokenSigningKeySecretUri"]

    assert app_settings()["TOKEN_SIGNING_KEY"] == "'@Microsoft.KeyVault(SecretUri=${tokenSigningKeySecretUri})'"
    assert prop(site.body, "keyVaultReferenceIdentity") == "identityId"
    assert secret_uri == "'${vault.properties.vaultUri}secrets/${tokenSigningKeySecretName}'"
    assert prop(modules_of_main()["functionApp"].body, "tokenSigningKeySecretUri") == (
        "keyVault.outputs.tokenSigningKeySecretUri"
    )


def test_app_runs_as_production_with_the_design_retention_defaults():
    settings = app_settings()
    main_params = declared_params(INFRA / "main.bicep")

    assert settings["CUO_ENVIRONMENT"] == "'production'"
    assert settings["RETENTION_SCHEDULE"] == "retentionSchedule"
    assert main_params["retentionSchedule"].default == "'0 0 2 * * *'"
    for setting, param, default in [
        ("LEAVER_GRACE_DAYS", "leaverGraceDays", "30"),
        ("SCHOOL_EXIT_GRACE_DAYS", "schoolExitGraceDays", "30"),
        ("STAFF_INACTIVE_MONTHS", "staffInactiveMonths", "24"),
        ("AUDIT_RETENTION_MONTHS", "auditRetentionMonths", "24"),
        ("UPLOAD_SWEEP_HOURS", "uploadSweepHours", "24"),
    ]:
        assert settings[setting] == f"string({param})"
        assert main_params[param].default == default


def test_public_base_url_and_token_issuer_default_to_the_function_apps_own_url():
    settings = app_settings()
    functionapp = source(MODULES / "functionapp.bicep")

    assert settings["PUBLIC_BASE_URL"] == "baseUrl"
    assert settings["TOKEN_ISSUER"] == "baseUrl"
    assert (
        "var baseUrl = empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl"
        in functionapp
    )


def test_telemetry_goes_to_application_insights_with_entra_id_auth():
    settings = app_settings()

    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == "appInsights.properties.ConnectionString"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == "'ClientId=${identityClientId};Authorization=AAD'"


def test_every_app_setting_is_one_the_app_or_the_functions_host_reads():
    read_by_app = set(re.findall(r'AliasChoices\("(\w+)"\)', (ROOT / "shared" / "settings.py").read_text()))

    unknown = set(app_settings()) - read_by_app - HOST_SETTINGS

    assert unknown == set()


def test_app_settings_leave_out_what_flex_consumption_rejects():
    assert set(app_settings()) & FLEX_REJECTED_SETTINGS == set()


# --- Key Vault and the signing key ---------------------------------------------------------------------


def test_key_vault_uses_rbac_with_soft_delete_and_purge_protection():
    vault = the_resource("Microsoft.KeyVault/vaults")

    assert prop(vault.body, "enableRbacAuthorization") == "true"
    assert prop(vault.body, "enableSoftDelete") == "true"
    assert prop(vault.body, "enablePurgeProtection") == "true"
    assert "accessPolicies" not in vault.body


def test_token_signing_key_is_generated_at_deploy_time_as_a_secure_parameter():
    key = declared_params(INFRA / "main.bicep")["tokenSigningKey"]

    assert "@secure()" in key.decorators
    assert key.default == "'${newGuid()}${newGuid()}${newGuid()}'"
    assert "@secure()" in declared_params(MODULES / "keyvault.bicep")["tokenSigningKey"].decorators


def test_generated_token_signing_key_passes_the_apps_own_strength_check(monkeypatch):
    from shared.settings import Settings

    # The test session's Azurite connection string (with its well-known key) must not leak into this check.
    monkeypatch.delenv("AzureWebJobsStorage", raising=False)

    guids = declared_params(INFRA / "main.bicep")["tokenSigningKey"].default.count("newGuid()")
    generated = "".join(str(uuid.uuid4()) for _ in range(guids))

    settings = Settings(
        CUO_ENVIRONMENT="production", TOKEN_SIGNING_KEY=generated, AzureWebJobsStorage__accountName="stexample"
    )

    assert settings.token_signing_key == generated


def test_token_signing_key_is_written_once_so_a_later_provision_does_not_rotate_it():
    secret = next(s for s in resources("Microsoft.KeyVault/vaults/secrets") if s.symbol == "tokenSigningKeySecret")
    key_vault_call = modules_of_main()["keyVault"]

    assert secret.condition == "writeTokenSigningKey"
    assert prop(key_vault_call.body, "writeTokenSigningKey") == "!tokenSigningKeyExists"
    assert declared_params(INFRA / "main.bicep")["tokenSigningKeyExists"].default == "false"
    assert declared_outputs(INFRA / "main.bicep")["TOKEN_SIGNING_KEY_EXISTS"] == "true"
    assert main_params_file()["parameters"]["tokenSigningKeyExists"]["value"] == "${TOKEN_SIGNING_KEY_EXISTS=false}"



def test_the_open_badges_signing_secret_is_a_key_vault_reference_written_once():
    """Without it the credential endpoints answer 503 in Azure; rotating it by accident would orphan issued badges."""
    secret = next(s for s in resources("Microsoft.KeyVault/vaults/secrets") if s.symbol == "credentialSigningKeySecret")
    key_vault_call = modules_of_main()["keyVault"]

    assert app_settings()["CREDENTIAL_SIGNING_KEY"] == (
        "'@Microsoft.KeyVault(SecretUri=${credentialSigningKeySecretUri})'")
    assert prop(modules_of_main()["functionApp"].body, "credentialSigningKeySecretUri") == (
        "keyVault.outputs.credentialSigningKeySecretUri")
    assert secret.condition == "writeCredentialSigningKey"
    assert prop(key_vault_call.body, "writeCredentialSigningKey") == "!credentialSigningKeyExists"
    assert declared_outputs(INFRA / "main.bicep")["CREDENTIAL_SIGNING_KEY_EXISTS"] == "true"
    assert main_params_file()["parameters"]["credentialSigningKeyExists"]["value"] == (
        "${CREDENTIAL_SIGNING_KEY_EXISTS=false}")

# --- monitoring ----------------------------------------------------------------------------------------


def test_application_insights_is_workspace_based_in_the_location_parameter_with_local_auth_disabled():
    app_insights = the_resource("Microsoft.Insights/components")
    workspace = the_resource("Microsoft.OperationalInsights/workspaces")

    assert prop(app_insights.body, "location") == "location"
    assert prop(workspace.body, "location") == "location"
    assert prop(modules_of_main()["monitoring"].body, "location") == "location"
    assert prop(app_insights.body, "WorkspaceResourceId") == "workspace.id"
    assert prop(app_insights.body, "DisableLocalAuth") == "true"
    assert prop(app_insights.body, "DisableIpMasking") == "false"


# --- Event Grid ----------------------------------------------------------------------------------------


def test_blob_created_events_in_mis_uploads_reach_the_blob_extension_webhook_of_ingest_mis_upload():
    topic = the_resource("Microsoft.EventGrid/systemTopics")
    subscription = the_resource("Microsoft.EventGrid/systemTopics/eventSubscriptions")
    events = source(POSTDEPLOY / "mis-upload-subscription.bicep")

    assert prop(topic.body, "source") == "storage.id"
    assert prop(topic.body, "topicType") == "'Microsoft.Storage.StorageAccounts'"
    assert prop(topic.body, "location") == "location"
    assert prop(subscription.body, "endpointType") == "'WebHook'"
    assert prop(subscription.body, "endpointUrl") == (
        "'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs"
        "?functionName=Host.Functions.ingest_mis_upload&code=${blobsExtensionKey}'"
    )
    assert (
        "var blobsExtensionKey = listKeys(resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), "
        "'2024-04-01').systemKeys.blobs_extension" in events
    )
    assert re.search(r"includedEventTypes:\s*\[\s*'Microsoft.Storage.BlobCreated'\s*\]", subscription.body)
    assert prop(subscription.body, "subjectBeginsWith") == "'/blobServices/default/containers/mis-uploads/'"


def test_event_grid_retries_delivery_for_the_24_hours_before_the_upload_sweep():
    subscription = the_resource("Microsoft.EventGrid/systemTopics/eventSubscriptions")

    assert prop(subscription.body, "maxDeliveryAttempts") == "30"
    assert prop(subscription.body, "eventTimeToLiveInMinutes") == "1440"
    assert prop(subscription.body, "maxEventsPerBatch") == "1"


def test_one_azd_up_wires_the_blob_drop_the_topic_at_provision_and_the_subscription_after_deploy():
    events = modules_of_main()["misUploadEvents"]
    hooks = azure_yaml()["hooks"]["postdeploy"]
    outputs = declared_outputs(INFRA / "main.bicep")

    assert events.condition is None
    assert "deployEventGrid" not in declared_params(INFRA / "main.bicep")
    assert outputs["AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME"] == "misUploadEvents.outputs.systemTopicName"
    assert hooks["posix"]["run"] == "sh infra/scripts/postdeploy.sh"
    assert hooks["windows"]["run"] == "./infra/scripts/postdeploy.ps1"
    for script in ("postdeploy.sh", "postdeploy.ps1"):
        text = (INFRA / "scripts" / script).read_text(encoding="utf-8")
        assert "az deployment group create" in text
        assert "infra/postdeploy/mis-upload-subscription.bicep" in text
        for variable in ("AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "AZURE_EVENT_GRID_SYSTEM_TOPIC_NAME"):
            assert variable in text and variable in outputs
        # The webhook key is read inside ARM (listKeys), never printed or passed by the script.
        assert "blobs_extension'" in text and "--query systemKeys.blobs_extension" not in text
    params = declared_params(POSTDEPLOY / "mis-upload-subscription.bicep")
    assert set(params) == {"systemTopicName", "functionAppName"}


# --- wiring between main.bicep, its modules and azd ----------------------------------------------------


def test_main_deploys_a_resource_group_at_subscription_scope_tagged_for_azd():
    main = source(INFRA / "main.bicep")
    groups = {g.symbol: g for g in resources("Microsoft.Resources/resourceGroups", INFRA / "main.bicep")}

    assert re.search(r"^targetScope = 'subscription'$", main, re.MULTILINE)
    assert set(groups) == {"rg"}
    assert groups["rg"].condition is None
    assert all(prop(g.body, "location") == "location" for g in groups.values())
    assert re.search(r"^var tags = \{\s*'azd-env-name': environmentName\s*\}", main, re.MULTILINE)
    scopes = {symbol: prop(m.body, "scope") for symbol, m in modules_of_main().items()}
    assert set(scopes.values()) == {"rg"}


@pytest.mark.parametrize("symbol", sorted(modules_of_main()))
def test_each_module_call_passes_exactly_the_parameters_the_module_declares(symbol):
    module = modules_of_main()[symbol]
    declared = declared_params(module_path(module))

    passed = set(top_level_keys(params_block(module.body)))
    required = {name for name, param in declared.items() if param.default is None}

    assert passed <= set(declared), passed - set(declared)
    assert required <= passed, required - passed


def test_every_module_output_main_uses_is_declared_by_that_module():
    modules = modules_of_main()
    uses = set(re.findall(r"\b(\w+)\.outputs\.(\w+)", source(INFRA / "main.bicep")))

    assert uses
    for symbol, output in uses:
        assert output in declared_outputs(module_path(modules[symbol])), f"{symbol}.outputs.{output}"


def test_azd_outputs_name_the_resource_group_function_app_storage_and_vault():
    outputs = declared_outputs(INFRA / "main.bicep")

    assert outputs["AZURE_LOCATION"] == "location"
    assert outputs["AZURE_RESOURCE_GROUP"] == "rg.name"
    assert outputs["AZURE_FUNCTION_APP_NAME"] == "functionApp.outputs.name"
    assert outputs["AZURE_STORAGE_ACCOUNT_NAME"] == "storage.outputs.name"
    assert outputs["AZURE_KEY_VAULT_NAME"] == "keyVault.outputs.name"


def test_parameters_file_is_json_and_sets_only_parameters_main_declares():
    parameters = main_params_file()["parameters"]

    assert set(parameters) <= set(declared_params(INFRA / "main.bicep"))
    assert all(set(entry) == {"value"} for entry in parameters.values())


def test_parameters_file_binds_the_azd_environment_name_and_a_uk_location():
    parameters = main_params_file()["parameters"]

    assert parameters["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert parameters["location"]["value"] == "${AZURE_LOCATION=uksouth}"


def test_parameters_file_defaults_agree_with_the_bicep_defaults():
    main_params = declared_params(INFRA / "main.bicep")

    for name, entry in main_params_file()["parameters"].items():
        fallback = re.fullmatch(r"\$\{\w+=(.*)\}", entry["value"])
        if fallback:
            assert main_params[name].default.strip("'") == fallback.group(1), name


def test_azure_yaml_deploys_the_repo_root_as_the_python_function_service_api():
    api = azure_yaml()["services"]["api"]

    assert {key: api[key] for key in ("project", "language", "host")} == {
        "project": ".", "language": "python", "host": "function",
    }


def test_azure_yaml_provisions_infra_main_with_bicep():
    assert azure_yaml()["infra"] == {"provider": "bicep", "path": "infra", "module": "main"}


# --- the web client, served by the Function App -------------------------------------------------------


def test_the_web_client_and_api_share_the_function_apps_uk_origin():
    outputs = declared_outputs(INFRA / "main.bicep")
    host = json.loads((ROOT / "host.json").read_text(encoding="utf-8"))

    assert outputs["SERVICE_WEB_URI"] == "functionApp.outputs.uri"
    assert host["extensions"]["http"]["routePrefix"] == ""
    assert app_settings()["AzureWebJobsDisableHomepage"] == "'true'"
    assert not list(INFRA.rglob("staticwebapp*.bicep"))
    assert "web" not in (ROOT / ".funcignore").read_text(encoding="utf-8").split()


def test_invitation_links_login_cards_and_the_sso_redirect_point_at_the_web_client():
    settings = app_settings()

    assert prop(modules_of_main()["functionApp"].body, "publicBaseUrl") == "publicBaseUrl"
    assert settings["PUBLIC_BASE_URL"] == "baseUrl"
    assert settings["SSO_REDIRECT_URI"] == "'${baseUrl}/'"


def test_sso_settings_are_optional_parameters_and_the_client_secret_goes_to_key_vault():
    main_params = declared_params(INFRA / "main.bicep")
    parameters = main_params_file()["parameters"]
    settings = app_settings()

    for param, variable in (("ssoClientId", "SSO_CLIENT_ID"), ("ssoAuthority", "SSO_AUTHORITY"),
                            ("ssoClientSecret", "SSO_CLIENT_SECRET")):
        assert main_params[param].default == "''"
        assert parameters[param]["value"] == f"${{{variable}=}}"
    assert "@secure()" in main_params["ssoClientSecret"].decorators
    assert settings["SSO_CLIENT_SECRET"] == "'@Microsoft.KeyVault(SecretUri=${ssoClientSecretUri})'"
    sso_secret = next(s for s in resources("Microsoft.KeyVault/vaults/secrets") if s.symbol == "ssoClientSecretValue")
    assert sso_secret.condition == "!empty(ssoClientSecret)"


def test_every_provision_merges_into_the_app_settings_it_finds_so_hand_made_settings_survive():
    config = the_resource("Microsoft.Web/sites/config")
    functionapp = source(MODULES / "functionapp.bicep")

    assert prop(config.body, "properties") == "union(currentAppSettings, appSettings)"
    assert "currentAppSettings: list('${functionApp.id}/config/appsettings', '2024-04-01').properties" in functionapp
    assert "appSettings: union(managedSettings, ssoSettings)" in functionapp
    assert "@secure()" in declared_params(MODULES / "appsettings.bicep")["currentAppSettings"].decorators


def test_azure_yaml_deploys_the_locked_packages_without_a_remote_build():
    api = azure_yaml()["services"]["api"]

    assert api["remoteBuild"] == "false"
    assert api["hooks"]["prepackage"]["posix"]["run"] == "sh infra/scripts/prepackage.sh"
    assert api["hooks"]["prepackage"]["windows"]["run"] == "./infra/scripts/prepackage.ps1"
    for script in ("prepackage.sh", "prepackage.ps1"):
        text = (INFRA / "scripts" / script).read_text(encoding="utf-8")
        assert "--require-hashes" in text and "-r requirements.lock" in text and "--only-binary=:all:" in text
        assert ".python_packages/lib/site-packages" in text and "--python-version 3.11" in text
    assert ".python_packages" not in (ROOT / ".funcignore").read_text(encoding="utf-8")
