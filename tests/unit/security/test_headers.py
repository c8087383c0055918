from shared.security.headers import API_HEADERS, add_missing, api_headers


def test_policy_forbids_framing_sniffing_and_referrers():
    headers = api_headers()
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_add_missing_keeps_what_a_response_sets_itself():
    headers = {"content-security-policy": "sandbox"}
    add_missing(headers)
    assert headers["content-security-policy"] == "sandbox"
    assert "Content-Security-Policy" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert len(headers) == len(API_HEADERS)
