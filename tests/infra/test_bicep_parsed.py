"""Every Bicep file, parsed with a real Bicep parser (pycep-parser), checked resource by resource.

These checks are generic: a resource or module added to infra/ is parsed and checked like the others, with
no test to write. What they catch: a file that does not parse (an unterminated string), a symbol used but
never declared, an API version that is not a real date or that no installed Azure SDK package describes,
property names that the models of that very API version do not have (the Azure SDK for Python's management
packages, generated from Azure's REST API specifications, one per namespace the templates use: see
tests/infra/azure_models.py and infra/README.md), site settings Flex Consumption rejects, a module call that
passes an unknown or leaves out a required parameter, and a resource able to send access logs that has no
diagnostic setting.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lark import Token, Tree
from pycep import BicepParser

from tests.infra.azure_models import MODELS, models_for, schema, unknown_properties

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
FILES = sorted(INFRA.rglob("*.bicep"))
PARSER = BicepParser()

# siteConfig properties Flex Consumption refuses (ARM answers BadRequest): the plan owns scale, the
# runtime comes from functionAppConfig, and there is no FTP or 32-bit worker.
FLEX_REJECTED_SITE_CONFIG = {
    "ftpsState", "alwaysOn", "linuxFxVersion", "windowsFxVersion", "use32BitWorkerProcess",
    "netFrameworkVersion", "javaVersion", "phpVersion", "pythonVersion", "nodeVersion", "powerShellVersion",
    "functionAppScaleLimit", "minimumElasticInstanceCount", "preWarmedInstanceCount",
}
FLEX_MINIMUM_INSTANCE_CAP = 40

# Resource types that can send logs, and the categories they must send to the workspace.
ACCESS_LOG_CATEGORIES = {
    "Microsoft.KeyVault/vaults": {"AuditEvent"},
    "Microsoft.Storage/storageAccounts/blobServices": {"StorageRead", "StorageWrite", "StorageDelete"},
    "Microsoft.Storage/storageAccounts/tableServices": {"StorageRead", "StorageWrite", "StorageDelete"},
    "Microsoft.Storage/storageAccounts/queueServices": {"StorageRead", "StorageWrite", "StorageDelete"},
    "Microsoft.Web/sites": {"FunctionAppLogs"},
    "Microsoft.EventGrid/systemTopics": {"DeliveryFailures"},
}
# A storage account's blob, table and queue services exist with the account, whether declared or not.
IMPLIED_CHILDREN = {
    "Microsoft.Storage/storageAccounts": [
        "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.Storage/storageAccounts/tableServices",
        "Microsoft.Storage/storageAccounts/queueServices",
    ],
}

# Keys of a resource body that are Bicep's, not the resource's.
BICEP_KEYS = {"parent", "scope", "dependsOn", "name"}


# --- reading ---------------------------------------------------------------------------------------------


@cache
def parsed(path: Path) -> dict:
    return PARSER.parse(text=path.read_text(encoding="utf-8"))


@cache
def syntax_tree(path: Path) -> Tree:
    # The parse tree keeps what the JSON form loses: whether a value is a symbol or a string literal.
    return PARSER._create_tree(path.read_text(encoding="utf-8"), None)


def body(declaration: dict) -> dict:
    """The object literal of a resource or module, under any `if (...)` or `[for ...]` wrapper."""
    config = declaration["config"]
    while isinstance(config, dict) and "config" in config and ({"condition", "loop_type"} & set(config)):
        config = config["config"]
    return config


def parses(path: Path) -> bool:
    try:
        parsed(path)
    except Exception:  # noqa: BLE001 - reported by test_every_bicep_file_parses, not at collection
        return False
    return True


def all_resources() -> list[tuple[Path, str, dict]]:
    return [
        (path, symbol, res)
        for path in FILES if parses(path)
        for symbol, res in parsed(path).get("resources", {}).items()
    ]


def created_resources() -> list[tuple[Path, str, dict]]:
    return [(path, symbol, res) for path, symbol, res in all_resources() if not res["existing"]]


def resource_id(path: Path, symbol: str) -> str:
    return f"{path.relative_to(INFRA).as_posix()}:{symbol}"


def string_value(value: Any) -> str:
    return value.strip("'") if isinstance(value, str) else ""


# --- every file parses, every symbol is declared -----------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_every_bicep_file_parses(path):
    template = parsed(path)

    assert template.get("resources") or template.get("modules"), "a template with nothing to deploy"


def declared_symbols(path: Path) -> set[str]:
    template = parsed(path)
    names = set()
    for section in ("parameters", "variables", "resources", "modules"):
        names |= set(template.get(section, {}))
    tree = syntax_tree(path)
    for loop in tree.find_data("loop_array"):
        names.add(str(loop.children[0]))
    for node in tree.find_data("loop_array_and_index"):
        names |= {str(child) for child in node.children[:2] if isinstance(child, Token)}
    for lam in tree.find_data("lambda_expression"):
        for child in lam.children[:-1]:
            names |= {str(token) for token in (child.scan_values(lambda v: isinstance(v, Token))
                                                if isinstance(child, Tree) else [child])}
    return names


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEYWORDS = {"true", "false", "null"}


def used_symbols(path: Path) -> set[str]:
    """Identifiers a file reads: bare values, the head of property/index chains, and `${...}` heads."""
    used: set[str] = set()

    def visit(node: Tree | Token, member: bool = False) -> None:
        if isinstance(node, Token):
            value = str(node)
            if node.type == "STRING" and not member and IDENTIFIER.fullmatch(value) and value not in KEYWORDS:
                used.add(value)
            if node.type in ("STRING", "QUOTED_INTERPOLATION") and value.startswith("'"):
                for expression in re.findall(r"\$\{([^}]*)\}", value):
                    for name in re.findall(r"(?<![\w.'])([A-Za-z_]\w*)(?!\w*\s*\()", expression):
                        if name not in KEYWORDS:
                            used.add(name)
            return
        if node.data in ("key", "data_type", "base_type"):
            return
        if node.data == "property_accessor":
            # The object is read; what follows the dot is a member name, not a symbol.
            visit(node.children[0])
            for child in node.children[1:]:
                visit_members(child)
            return
        for child in node.children:
            if child is not None:
                visit(child)

    def visit_members(node: Tree | Token) -> None:
        if isinstance(node, Token):
            return
        if node.data == "string":
            return
        for child in node.children:
            if child is not None:
                visit_members(child) if not isinstance(child, Tree) or child.data != "function" else visit(child)

    tree = syntax_tree(path)
    for declaration in tree.children:
        # Skip each declaration's own name (its second child); everything else is an expression.
        for index, child in enumerate(declaration.children):
            if child is None or (index == 1 and isinstance(child, Token)):
                continue
            visit(child)
    return used


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_every_symbol_a_file_uses_is_declared_in_it(path):
    undeclared = used_symbols(path) - declared_symbols(path)

    assert undeclared == set()


def test_the_symbol_check_sees_an_undeclared_name(tmp_path):
    bad = tmp_path / "bad.bicep"
    bad.write_text(
        "param name string\n"
        "resource site 'Microsoft.Web/sites@2024-04-01' = {\n  name: name\n  location: lokation\n"
        "  properties: {\n    serverFarmId: '${plann.id}'\n  }\n}\n"
    )

    assert used_symbols(bad) - declared_symbols(bad) == {"lokation", "plann"}


# --- API versions and property names ------------------------------------------------------------------------


def sdk_models(resource: dict):
    package, _ = MODELS[resource["type"]]
    return models_for(package, resource["api_version"])


def test_every_resource_type_the_templates_use_has_its_azure_models():
    types = {resource["type"] for _, _, resource in all_resources()}

    assert types - set(MODELS) == set(), "add the SDK model of each new resource type to tests/infra/azure_models.py"
    assert {t.split("/")[0] for t in types} >= {"Microsoft.Communication", "Microsoft.Web", "Microsoft.Authorization"}


@pytest.mark.parametrize(
    ("path", "symbol"), [(p, s) for p, s, _ in all_resources()], ids=lambda v: v if isinstance(v, str) else v.name
)
def test_every_resource_uses_a_published_api_version_an_installed_sdk_describes(path, symbol):
    resource = parsed(path)["resources"][symbol]
    version = resource["api_version"]

    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(-preview)?", version)
    assert match, f"{resource['type']}@{version} is not an API version"
    released = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))  # raises if no such date
    assert released <= dt.date.today()
    assert resource["type"] in MODELS
    assert sdk_models(resource) is not None, (
        f"no installed Azure SDK package describes {resource['type']}@{version}: pin one in requirements-dev.txt "
        f"that does ({MODELS[resource['type']][0]}), so its properties are checked against that API version"
    )


def test_each_resource_type_uses_one_api_version_across_the_templates():
    versions: dict[str, set[str]] = {}
    for _, _, resource in all_resources():
        versions.setdefault(resource["type"].lower(), set()).add(resource["api_version"])

    assert {t: v for t, v in versions.items() if len(v) > 1} == {}


def declared_properties(resource: dict) -> dict:
    return {k: v for k, v in body(resource).items() if k not in BICEP_KEYS}


@pytest.mark.parametrize(
    ("path", "symbol"), [(p, s) for p, s, _ in created_resources()], ids=lambda v: v if isinstance(v, str) else v.name
)
def test_every_property_is_one_the_resource_type_has_in_its_api_version(path, symbol):
    resource = parsed(path)["resources"][symbol]
    models = sdk_models(resource)
    assert models is not None, f"no installed Azure SDK package describes {resource['type']}@{resource['api_version']}"

    model = getattr(models, MODELS[resource["type"]][1])
    problems = unknown_properties(declared_properties(resource), schema(models, model), resource["type"])

    assert problems == []


def test_the_property_check_sees_a_misspelt_property():
    models = models_for("azure.mgmt.web", "2024-04-01")
    site = {"properties": {"functionAppConfig": {"scaleAndConcurency": {"maximumInstanceCount": 40}}}}

    assert unknown_properties(site, schema(models, models.Site), "site") == [
        "site.properties.functionAppConfig.scaleAndConcurency"
    ]


def test_the_property_check_sees_a_property_its_api_version_does_not_have_yet(tmp_path):
    # Flex Consumption's functionAppConfig arrived after 2022-09-01: a template naming the older version loses it.
    older = tmp_path / "older.bicep"
    older.write_text(
        "resource site 'Microsoft.Web/sites@2022-09-01' = {\n  name: 'x'\n  location: 'uksouth'\n"
        "  properties: {\n    functionAppConfig: {\n      runtime: {\n        name: 'python'\n      }\n    }\n"
        "  }\n}\n"
    )
    resource = parsed(older)["resources"]["site"]
    models = sdk_models(resource)

    assert unknown_properties(declared_properties(resource), schema(models, models.Site), "site") == [
        "site.properties.functionAppConfig"
    ]


def test_an_api_version_no_installed_sdk_describes_is_refused(tmp_path):
    # What the email module deployed before: disableLocalAuth does not exist in 2023-04-01, and no pinned SDK
    # describes that version, so its properties could not be checked.
    old = tmp_path / "email.bicep"
    old.write_text(
        "resource acs 'Microsoft.Communication/communicationServices@2023-04-01' = {\n  name: 'x'\n"
        "  location: 'global'\n  properties: {\n    dataLocation: 'UK'\n    disableLocalAuth: true\n  }\n}\n"
    )

    assert sdk_models(parsed(old)["resources"]["acs"]) is None


# --- Flex Consumption --------------------------------------------------------------------------------------


def flex_sites() -> list[dict]:
    plans = {
        symbol for path, symbol, r in created_resources()
        if r["type"] == "Microsoft.Web/serverfarms" and "FlexConsumption" in str(body(r).get("sku"))
    }
    return [
        body(r) for _, _, r in created_resources()
        if r["type"] == "Microsoft.Web/sites" and str(body(r).get("properties", {}).get("serverFarmId")).find(
            next(iter(plans), "\0")) >= 0
    ]


def test_flex_sites_set_nothing_flex_consumption_rejects():
    sites = flex_sites()

    assert sites, "the Function App runs on a Flex Consumption plan"
    for site in sites:
        site_config = site["properties"].get("siteConfig", {})
        assert set(map(lambda k: k.strip("'"), site_config)) & FLEX_REJECTED_SITE_CONFIG == set()
        assert "functionAppConfig" in site["properties"]


def test_the_instance_cap_cannot_go_below_the_flex_minimum():
    caps = [
        (path.name, param)
        for path in FILES
        for name, param in parsed(path).get("parameters", {}).items()
        if name == "maximumInstanceCount"
    ]

    assert caps
    for _, param in caps:
        minimum = [d["argument"] for d in param["decorators"] if d["type"] == "min_value"]
        assert minimum and minimum[0] >= FLEX_MINIMUM_INSTANCE_CAP
        assert (param.get("default") or FLEX_MINIMUM_INSTANCE_CAP) >= FLEX_MINIMUM_INSTANCE_CAP


# --- modules ------------------------------------------------------------------------------------------------


def module_calls() -> list[tuple[Path, str, dict]]:
    return [
        (path, symbol, m) for path in FILES if parses(path) for symbol, m in parsed(path).get("modules", {}).items()
    ]


@pytest.mark.parametrize(
    ("path", "symbol"), [(p, s) for p, s, _ in module_calls()], ids=lambda v: v if isinstance(v, str) else v.name
)
def test_every_module_call_passes_known_parameters_and_every_required_one(path, symbol):
    call = parsed(path)["modules"][symbol]
    target = (path.parent / call["detail"]["path"]).resolve()
    declared = parsed(target).get("parameters", {})

    passed = set(body(call).get("params", {}))
    required = {name for name, param in declared.items() if "default" not in param}

    assert passed <= set(declared), passed - set(declared)
    assert required <= passed, required - passed


# --- access logs --------------------------------------------------------------------------------------------


def loggable_resources() -> list[tuple[str, str]]:
    """(type, where) of every resource that exists after a deployment and can send access logs."""
    found = []
    for path, symbol, resource in all_resources():
        for resource_type in [resource["type"], *IMPLIED_CHILDREN.get(resource["type"], [])]:
            if resource_type in ACCESS_LOG_CATEGORIES and not resource["existing"] or (
                resource_type != resource["type"] and not resource["existing"]
            ):
                found.append((resource_type, resource_id(path, symbol)))
    return found


def diagnostic_settings() -> dict[str, set[str]]:
    """Resource type -> log categories sent to a Log Analytics workspace by some diagnostic setting."""
    sent: dict[str, set[str]] = {}
    for path, _, resource in created_resources():
        if resource["type"] != "Microsoft.Insights/diagnosticSettings":
            continue
        setting = body(resource)
        target = parsed(path)["resources"][setting["scope"]]
        assert "workspaceId" in setting["properties"]
        logs = setting["properties"].get("logs", [])
        if isinstance(logs, str):
            logs = parsed(path)["variables"][logs]["value"]
        categories = {entry["category"] for entry in logs if entry.get("enabled") is True}
        sent.setdefault(target["type"], set()).update(categories)
    return sent


def test_every_resource_that_can_log_access_sends_its_logs_to_the_workspace():
    sent = diagnostic_settings()

    missing = {
        where: sorted(ACCESS_LOG_CATEGORIES[resource_type] - sent.get(resource_type, set()))
        for resource_type, where in loggable_resources()
        if ACCESS_LOG_CATEGORIES[resource_type] - sent.get(resource_type, set())
    }

    assert loggable_resources()
    assert missing == {}


# What Azure accepts as a Log Analytics table's total retention, from Microsoft's "Manage data retention in a
# Log Analytics workspace" (table-level retention, Tables API): 4 to 730 days, or one of these whole years. The
# resource type definitions only say 4-4383, so a template can pass every schema check and still fail to deploy.
ACCEPTED_TOTAL_RETENTION_DAYS = set(range(4, 731)) | {1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383}
ACCEPTED_INTERACTIVE_RETENTION_DAYS = set(range(4, 731))


def evaluate(node: Any, template: dict, scope: dict[str, Any]) -> Any:
    """The value of a pycep-parsed Bicep expression, for the few functions and operators the templates compute
    retention with; anything else raises, so a change of form is noticed rather than mis-evaluated."""
    if isinstance(node, bool | int):
        return node
    if isinstance(node, str):
        if node.startswith("'"):
            return node.strip("'")
        if node in scope:
            return scope[node]
        return evaluate(template["variables"][node]["value"], template, scope)
    if isinstance(node, list):
        return [evaluate(item, template, scope) for item in node]
    if "function" in node:
        name, args = node["function"]["type"], node["function"]["parameters"]
        if name == "filter":
            items = evaluate(args["input_array"], template, scope)
            detail = args["expression"]["detail"]
            return [i for i in items if evaluate(detail["expression"], template, {**scope, detail["var_1"]: i})]
        values = [evaluate(arg, template, scope) for arg in args.values()]
        if name == "range":
            return list(range(values[0], values[0] + values[1]))
        if name == "concat":
            return [item for value in values for item in value]
        if name in ("min", "max"):
            flat = values[0] if len(values) == 1 else values
            return min(flat) if name == "min" else max(flat)
        raise NotImplementedError(name)
    if "operator" in node:
        kind, operands = node["operator"]["type"], node["operator"]["operands"]
        left, right = (evaluate(operand, template, scope) for operand in operands.values())
        operations = {
            "multiply": lambda: left * right,
            "less_than_or_equals": lambda: left <= right,
            "less_than": lambda: left < right,
            "greater_than_or_equals": lambda: left >= right,
            "greater_than": lambda: left > right,
        }
        return operations[kind]()
    raise NotImplementedError(node)


def access_log_retention(audit_retention_months: int) -> tuple[int, dict[str, int]]:
    """(audit period in days, the tables' retention properties) for an auditRetentionMonths value."""
    main = parsed(INFRA / "main.bicep")
    diagnostics = parsed(INFRA / "modules" / "diagnostics.bicep")
    audit_days = evaluate(main["variables"]["auditLogDays"]["value"], main,
                          {"auditRetentionMonths": audit_retention_months})
    properties = body(diagnostics["resources"]["accessLogRetention"])["properties"]
    return audit_days, {key: evaluate(value, diagnostics, {"auditLogDays": audit_days})
                        for key, value in properties.items()}


def test_access_logs_are_kept_for_the_audit_period():
    main = parsed(INFRA / "main.bicep")
    diagnostics = parsed(INFRA / "modules" / "diagnostics.bicep")
    tables = diagnostics["variables"]["accessLogTables"]["value"]

    assert string_value(main["modules"]["diagnostics"]["config"]["params"]["auditLogDays"]) == "auditLogDays"
    assert "auditRetentionMonths" in str(main["variables"]["auditLogDays"]["value"])
    assert access_log_retention(24) == (744, {"retentionInDays": 730, "totalRetentionInDays": 730})
    assert {"StorageBlobLogs", "StorageTableLogs", "StorageQueueLogs", "AzureDiagnostics", "FunctionAppLogs"} <= set(
        tables
    )


def test_every_audit_period_gives_a_retention_azure_accepts_and_the_longest_within_the_period():
    wrong = {}
    for months in range(1, 121):
        audit_days, retention = access_log_retention(months)
        total, interactive = retention["totalRetentionInDays"], retention["retentionInDays"]
        longest = max(days for days in ACCEPTED_TOTAL_RETENTION_DAYS if days <= audit_days)
        if total != longest or interactive not in ACCEPTED_INTERACTIVE_RETENTION_DAYS or interactive > total:
            wrong[months] = retention

    assert wrong == {}
    assert access_log_retention(36)[1]["totalRetentionInDays"] == 1095  # 1116 days: three whole years
    assert access_log_retention(120)[1]["totalRetentionInDays"] == 3653  # 3720 days: ten years
