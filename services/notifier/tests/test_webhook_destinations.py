"""Where a webhook may be sent: https, no credentials, and no address inside the network
unless the deployment says so."""

from __future__ import annotations

import ipaddress

import pytest

from portico.notifier.webhooks.destinations import InvalidDestination, check_address, check_url

STRICT = {"allow_local": False, "allow_private": False}
DEVELOPMENT = {"allow_local": True, "allow_private": False}


@pytest.mark.parametrize(
    "url",
    [
        "https://erp.example.com/portico/webhooks",
        "https://erp.example.com:8443/hooks?source=portico",
        "https://93.184.216.34/hooks",
        "https://[2606:2800:220:1:248:1893:25c8:1946]/hooks",
    ],
)
def test_a_public_https_url_is_accepted(url: str) -> None:
    assert check_url(url, **STRICT) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://erp.example.com/hooks", "https://"),
        ("file:///etc/passwd", "https://"),
        ("javascript:alert(1)", "https://"),
        ("erp.example.com/hooks", "https://"),
        ("http://erp.example.com/hooks", "https://"),
        ("https://user:secret@erp.example.com/hooks", "user name or password"),
        ("https://token@erp.example.com/hooks", "user name or password"),
        ("https:///hooks", "no host"),
        ("https://erp.example.com:99999/", "not a URL"),
        ("https://erp.example.com/ hooks", "spaces"),
        ("https://localhost/hooks", "this machine"),
        ("https://127.0.0.1/hooks", "loopback"),
        ("https://[::1]/hooks", "loopback"),
        ("https://10.0.0.5/hooks", "private network"),
        ("https://192.168.1.20/hooks", "private network"),
        ("https://172.16.0.1/hooks", "private network"),
        ("https://100.64.0.1/hooks", "private network"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://[::ffff:169.254.169.254]/", "link-local"),
        ("https://0.0.0.0/hooks", "not an address"),
        ("https://224.0.0.1/hooks", "not an address"),
    ],
)
def test_a_url_that_could_reach_inside_is_refused_saying_why(url: str, why: str) -> None:
    with pytest.raises(InvalidDestination, match=why):
        check_url(url, **STRICT)


def test_http_is_for_localhost_in_development_only() -> None:
    for url in ("http://localhost:8080/hooks", "http://127.0.0.1:9000/", "http://[::1]/"):
        assert check_url(url, **DEVELOPMENT) == url
        with pytest.raises(InvalidDestination):
            check_url(url, **STRICT)
    with pytest.raises(InvalidDestination, match="https://"):
        check_url("http://erp.example.com/hooks", **DEVELOPMENT)
    with pytest.raises(InvalidDestination, match="link-local"):
        check_url("https://169.254.169.254/", allow_local=True, allow_private=True)


def test_private_networks_are_allowed_by_the_setting_only() -> None:
    assert check_url("https://10.0.0.5/hooks", allow_local=False, allow_private=True)
    with pytest.raises(InvalidDestination, match="loopback"):
        check_url("https://127.0.0.1/hooks", allow_local=False, allow_private=True)


def test_resolved_addresses_follow_the_same_rules() -> None:
    check_address(ipaddress.ip_address("93.184.216.34"), **STRICT)
    with pytest.raises(InvalidDestination, match="private"):
        check_address(ipaddress.ip_address("fd00::1"), **STRICT)
    with pytest.raises(InvalidDestination, match="loopback"):
        check_address(ipaddress.ip_address("::ffff:127.0.0.1"), **STRICT)
    check_address(ipaddress.ip_address("127.0.0.1"), **DEVELOPMENT)
