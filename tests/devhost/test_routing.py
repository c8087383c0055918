import azure.functions as func
import pytest

from devhost.routing import compile_route, functions_of, http_routes, resolve, route_prefix


def _app() -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

    @app.route(route="schools/{school_id}/pupils", methods=["GET", "POST"])
    def list_pupils(req):
        return None

    @app.route(route="schools/{school_id}/pupils/export", methods=["GET"])
    def export_pupils(req):
        return None

    @app.route(route="schools/{school_id}", methods=["GET"])
    def get_school(req):
        return None

    @app.route(route="files/{*rest}", methods=["GET"])
    def files(req):
        return None

    @app.route(methods=["GET"], trigger_arg_name="request")
    def default_route(request):
        return None

    return app


@pytest.fixture(scope="module")
def routes():
    return http_routes(_app(), "api")


def test_a_route_parameter_matches_one_segment(routes):
    route, params, _ = resolve(routes, "GET", "/api/schools/s-1")
    assert route.function_name == "get_school"
    assert params == {"school_id": "s-1"}


def test_the_more_literal_route_wins(routes):
    route, params, _ = resolve(routes, "GET", "/api/schools/s-1/pupils/export")
    assert route.function_name == "export_pupils"
    assert params == {"school_id": "s-1"}


def test_a_catch_all_takes_the_rest_of_the_path_slashes_included(routes):
    route, params, _ = resolve(routes, "GET", "/api/files/reports/2025/summary.csv")
    assert route.function_name == "files"
    assert params == {"rest": "reports/2025/summary.csv"}


def test_a_catch_all_also_matches_nothing(routes):
    route, params, _ = resolve(routes, "GET", "/api/files")
    assert route.function_name == "files"
    assert params == {}


def test_an_undeclared_route_defaults_to_the_function_name(routes):
    route, _, _ = resolve(routes, "GET", "/api/default_route")
    assert route.function_name == "default_route"
    assert route.arg_name == "request"


def test_matching_ignores_case_and_a_trailing_slash(routes):
    route, params, _ = resolve(routes, "GET", "/API/Schools/s-1/")
    assert route.function_name == "get_school"
    assert params == {"school_id": "s-1"}


def test_a_known_path_with_another_method_is_reported_for_405(routes):
    route, _, path_known = resolve(routes, "DELETE", "/api/schools/s-1")
    assert route is None
    assert path_known


def test_an_unknown_path_is_not_known(routes):
    assert resolve(routes, "GET", "/api/nothing/here/at/all") == (None, {}, False)


def test_paths_outside_the_prefix_do_not_match(routes):
    assert resolve(routes, "GET", "/schools/s-1")[0] is None


def test_an_empty_prefix_serves_from_the_root():
    pattern = compile_route("items/{item_id}", "")
    assert pattern.match("/items/7").groupdict() == {"item_id": "7"}
    assert pattern.match("/api/items/7") is None


def test_an_optional_parameter_may_be_left_out():
    pattern = compile_route("reports/{year?}", "api")
    assert pattern.match("/api/reports").groupdict() == {"year": None}
    assert pattern.match("/api/reports/2025").groupdict() == {"year": "2025"}


def test_route_prefix_comes_from_host_json(tmp_path):
    host_json = tmp_path / "host.json"
    assert route_prefix(host_json) == "api"
    host_json.write_text('{"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/"}}}')
    assert route_prefix(host_json) == "v1"
    host_json.write_text('{"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}')
    assert route_prefix(host_json) == ""


def test_functions_of_indexes_an_app_once():
    app = _app()
    assert functions_of(app) is functions_of(app)
