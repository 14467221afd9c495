"""Reading settings from the environment, loudly.

Settings come from environment variables (and, for convenience, a `.env` file at the repo root,
which never overrides a variable that is already set). A missing value that production needs is
an error that names the variable; there are no silent fallbacks for secrets.
"""

import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def load_dotenv(path: Path) -> None:
    """Load KEY=VALUE lines from `path` into os.environ without overriding what is already set."""
    if not path.is_file():
        return
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(
                f"The environment variable {name} must be set (see .env.example)."
            )
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from exc


def env_list(name: str, *, required: bool = False) -> list[str]:
    value = env_str(name, required=required) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: dict[str, str], default: str) -> str:
    """The value `choices` maps the variable's word to; an unknown word stops start-up, naming
    the variable and the words it accepts, so a typo never silently picks another behaviour."""
    word = (os.environ.get(name) or "").strip().lower() or default
    if word not in choices:
        accepted = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of {accepted}, got {word!r}.")
    return choices[word]


CACHE_CLIENTS = {
    "memcached": ("django.core.cache.backends.memcached.PyMemcacheCache", "pymemcache"),
    "redis": ("django.core.cache.backends.redis.RedisCache", "redis"),
    "rediss": ("django.core.cache.backends.redis.RedisCache", "redis"),
}


def cache_from_url(url: str, *, table: str) -> dict:
    """The default cache for CACHE_URL: the database table `table` when empty (shared by every
    process, created by `migrate`), else a memcached or Redis server whose client package must
    be installed. A scheme this cannot serve stops start-up rather than falling back to a cache
    in each process's memory, where limits and page generations would silently split per
    worker (ADR 0016)."""
    url = (url or "").strip()
    if not url or url in ("db://", "database://"):
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
            "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
        }
    scheme, _, rest = url.partition("://")
    if scheme not in CACHE_CLIENTS or not rest:
        accepted = ", ".join(f"{name}://" for name in sorted(CACHE_CLIENTS))
        raise ImproperlyConfigured(
            f"CACHE_URL must be empty (the database cache) or start with {accepted}, got {url!r}."
        )
    backend, client = CACHE_CLIENTS[scheme]
    if importlib.util.find_spec(client) is None:
        raise ImproperlyConfigured(
            f"CACHE_URL names a {scheme} server, but its Python client {client!r} is not "
            "installed; install it or leave CACHE_URL empty for the database cache."
        )
    location = url if scheme.startswith("redis") else rest.split(",")
    return {"BACKEND": backend, "LOCATION": location}
