"""The prose shapes in which Run:ai specs declare deprecations, one case per shape."""

from __future__ import annotations

import pytest

from runai_audit.knowledge.specs.deprecation_text import (
    closest_example,
    deprecated_values_from_text,
    example_is_deprecated,
    replaced_field_from_text,
    replacement_from_text,
    says_deprecated,
)

# (id, text, says_deprecated, replacement)
NOTICES = [
    ("dash_backticks", "Retrieve nodes. Deprecated - use `/api/v1/nodes` instead.", True, "/api/v1/nodes"),
    ("dash_please_bare_path", "List all Jobs in the cluster. Deprecated - please use api/v1/workloads instead", True, "/api/v1/workloads"),
    ("comma_method", "Update labels. Deprecated, please use PATCH /api/v1/node-pools/{id} instead.", True, "PATCH /api/v1/node-pools/{id}"),
    ("comma_use", "Deprecated, use /api/v1/users instead.  Return the list of users.", True, "/api/v1/users"),
    ("all_caps_no_punctuation", "DEPRECATED use NodePools instead", True, "NodePools"),
    ("lower_case", "deprecated. use idleAllocatedGpus instead", True, "idleAllocatedGpus"),
    ("instead_quoted_field", "Deprecated. Instead, use 'nodePoolsResources' field. Total GPUs.", True, "nodePoolsResources"),
    ("instead_backticked", "Deprecated. Instead, use `overQuotaWeight` for the relevant resource type.", True, "overQuotaWeight"),
    ("in_favor_of", "Return the apps. Deprecated in favor of the new endpoint api/v1/apps.", True, "/api/v1/apps"),
    ("new_endpoint_and", "Deprecated endpoint. Use the new endpoint api/v1/users instead and api/v1/x to add.", True, "/api/v1/users"),
    ("refer_misspelt", "Get groups. Deprecated endpoint. please reffer to Roles & Access rules API.", True, "Roles & Access rules API"),
    ("this_endpoint_is", "Get a token.\nThis endpoint is deprecated.  Use /api/v1/token with the grantType set.", True, "/api/v1/token"),
    ("markdown_link", "**DEPRECATED:** Renamed. Please use the [Service Accounts](/latest/#tag/Service-Accounts) endpoints instead.", True, "Service Accounts endpoints"),
    ("parenthesised_with_use", "UUID of a credential. (deprecated - use credentialId instead).", True, "credentialId"),
    ("parenthesised_alone", "The key to use for the password. The default is `Password`. (deprecated)", True, None),
    ("metrics_no_instead", "Get metrics. Deprecated - please use api/v1/clusters/{clusterUuid}/metrics", True, "/api/v1/clusters/{clusterUuid}/metrics"),
    ("no_replacement", "Deprecated - Obtain the appID and the appSecret using applications endpoints", True, None),
    ("about_another_field", "Indicates if enabled. Replaces the deprecated 'overProvisioningRatio' field", False, None),
    ("about_a_value", "Subject type.\n\nNote: The 'app' subject type is DEPRECATED. Please use 'service-account'.", False, None),
    ("value_tag", "Stated as `portion`, `memory` or `migProfile` [deprecated].", False, None),
    ("plain", "Create a project.", False, None),
    ("empty", "", False, None),
]


@pytest.mark.parametrize(("text", "deprecated", "replacement"), [n[1:] for n in NOTICES], ids=[n[0] for n in NOTICES])
def test_notice(text: str, deprecated: bool, replacement: str | None) -> None:
    assert says_deprecated(text) is deprecated
    if deprecated:
        assert replacement_from_text(text) == replacement


def test_replacement_ignores_use_before_the_notice() -> None:
    assert replacement_from_text("Use to delete a node pool. Deprecated, please use /api/v1/node-pools/{id} instead.") == "/api/v1/node-pools/{id}"
    assert replacement_from_text(None) is None
    assert replacement_from_text("Use the thing.") is None


def test_replacement_too_long_is_dropped() -> None:
    assert replacement_from_text("Deprecated - use " + "x" * 130) is None


@pytest.mark.parametrize(
    ("text", "enum", "expected"),
    [
        (
            "Subject type enum.\n\nNote: The 'app' subject type is DEPRECATED. Please use 'service-account' instead.",
            ["user", "app", "service-account", "group"],
            (("app", "service-account"),),
        ),
        (
            "Resource type enum. \n\nNote: The 'apps' resource type is DEPRECATED. Please use 'service-account' instead.",
            ["apps", "service-account", "project"],
            (("apps", "service-account"),),
        ),
        (
            "Stated in terms of portion, memory or  mig profile [deprecated]. Or `portion`, `memory` or `migProfile` [deprecated].",
            ["portion", "memory", "migProfile"],
            (("migProfile", ""),),
        ),
        ("The `legacy` (deprecated) mode.", ["legacy", "modern"], (("legacy", ""),)),
        # A quoted word that is not a value of the enum is not a deprecated value.
        ("The 'ghost' kind is DEPRECATED. Please use 'user'.", ["user", "app"], ()),
        # The replacement must itself be a value; otherwise it is dropped, the value still counts.
        ("The 'app' type is deprecated. Please use 'robot'.", ["user", "app"], (("app", ""),)),
        ("Not a word about it.", ["a", "b"], ()),
        ("'a' is deprecated", [], ()),
    ],
)
def test_deprecated_values(text: str, enum: list[str], expected: tuple[tuple[str, str], ...]) -> None:
    assert deprecated_values_from_text(text, enum) == expected


def test_replaced_field() -> None:
    assert replaced_field_from_text("Replaces the deprecated 'overProvisioningRatio' field") == "overProvisioningRatio"
    assert replaced_field_from_text("Replaces the deprecated `oldName`.") == "oldName"
    assert replaced_field_from_text("Replaces nothing.") is None
    assert replaced_field_from_text(None) is None


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        ("app_token (deprecated)", None, True),
        ("legacy [Deprecated]", None, True),
        ("old", "Deprecated - obtain the keys elsewhere", True),
        ("client_credentials", "Obtain the clientID and the clientSecret", False),
        ("deprecated_things", None, False),  # only a bracketed tag counts in a name
    ],
)
def test_example_is_deprecated(name: str, description: str | None, expected: bool) -> None:
    assert example_is_deprecated(name, description) is expected


def test_closest_example_prefers_shared_description_and_key_words() -> None:
    deprecated = (
        "Deprecated - Obtain the appID and the appSecret using applications endpoints",
        {"grantType": "app_token", "appID": "a", "appSecret": "s"},
    )
    candidates = [
        ("refresh_token", None, {"grantType": "refresh_token", "refreshToken": "r", "clientID": "c"}),
        (
            "client_credentials",
            "Obtain the clientID and the clientSecret using service accounts endpoints",
            {"grantType": "client_credentials", "clientID": "c", "clientSecret": "s"},
        ),
        ("external", None, {"grantType": "external_token_exchange", "externalToken": "t"}),
    ]
    assert closest_example(deprecated, candidates, "grantType") == "client_credentials"


def test_closest_example_needs_more_than_one_shared_word() -> None:
    deprecated = (None, {"kind": "old", "appID": "a"})
    candidates = [("other", None, {"kind": "new", "clientID": "c"})]  # shares only "id"
    assert closest_example(deprecated, candidates, "kind") is None
