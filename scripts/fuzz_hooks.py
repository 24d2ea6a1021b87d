"""Schemathesis hooks for scripts/fuzz: log in as the admin, and keep the admin usable.

The run is logged in as the bootstrap super admin of a scratch server. Generated requests may
log that session out (any 401 makes schemathesis log in again: `retry_on` below) and may change
the runtime settings; what they must not do is take the admin's own credentials away, or the
rest of the run would be 401s. So cases that write to the admin's own account, failed logins
under the admin's name (a lockout), and settings writes that would block the next login
(captcha on, a lockout after one failure) are filtered out; every other account and setting
is fair game (scripts/fuzz registers disposable target users first).
"""

import os

import requests
import schemathesis

BASE = os.environ["FUZZ_ORIGIN"]
DIALECT = os.environ["FUZZ_DIALECT"]
PREFIX = os.environ["FUZZ_PREFIX"]
NAME = os.environ["FUZZ_ADMIN"]
PASSWORD = os.environ["FUZZ_PASSWORD"]
# The admin's ids in each dialect's paths (numeric id, or hanzi's login name).
ADMIN_IDS = {os.environ.get("FUZZ_ADMIN_ID", "1"), NAME}

LOGIN = {
    "ops_v1": ("/users/login", {"name": NAME, "password": PASSWORD}, lambda j: j["data"]["cookie_value"]),
    "admin_v1": ("/auth/login", {"username": NAME, "password": PASSWORD}, lambda j: j["data"]["token"]),
    "hanzi": ("/login", {"username": NAME, "password": PASSWORD}, lambda j: j["token"]),
    "account": ("/login", {"username": NAME, "password": PASSWORD}, lambda j: j["data"]["token"]),
}

# Routes that act on one account, by their path template.
ACCOUNT_PATHS = {
    "/users/{id}",
    "/users/{id}/reset-password",
    "/users/{id}/toggle-status",
    "/users/{id}/promote",
    "/users/{id}/disable",
    "/user/{pk}",
}

# Settings that decide whether the admin can log in again.
LOGIN_SETTINGS = {"captcha_enabled", "login_max_failures", "login_lockout_minutes"}


def login():
    path, body, token = LOGIN[DIALECT]
    response = requests.post(BASE + PREFIX + path, json=body, timeout=30)
    response.raise_for_status()
    return token(response.json())


def admin_config_ids():
    """admin_v1 ids of the settings in LOGIN_SETTINGS (its PUT takes the id)."""
    if DIALECT != "admin_v1":
        return set()
    headers = {"Authorization": "Bearer " + login()}
    answer = requests.get(BASE + PREFIX + "/system/configs", headers=headers, timeout=30).json()
    return {str(c["id"]) for c in answer["data"] if c["config_key"] in LOGIN_SETTINGS}


GUARDED_CONFIG_IDS = admin_config_ids()


@schemathesis.auth(refresh_interval=600, retry_on=[401])
class AdminLogin:
    def get(self, case, context):
        return login()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = "Bearer " + data


def _path_values(case):
    return {str(v) for v in (case.path_parameters or {}).values()}


# The login routes (their bodies name the account as `name` or `username`).
LOGIN_PATHS = {"/users/login", "/auth/login", "/login"}


@schemathesis.hook
def filter_case(context, case):
    method = case.operation.method.upper()
    path = case.operation.path
    if method == "GET":
        return True
    # Hypothesis draws strings it finds in loaded source, this file's "admin" included: wrong
    # passwords for the admin would lock it out (5 failures, 15 minutes) and end the run.
    if path in LOGIN_PATHS and isinstance(case.body, dict):
        if NAME in (case.body.get("name"), case.body.get("username")):
            return False
    if path in ACCOUNT_PATHS and _path_values(case) & ADMIN_IDS:
        return False
    if path == "/system/config" and isinstance(case.body, dict) and LOGIN_SETTINGS & set(case.body):
        return False
    if path == "/system/configs/{id}" and _path_values(case) & GUARDED_CONFIG_IDS:
        return False
    return True
