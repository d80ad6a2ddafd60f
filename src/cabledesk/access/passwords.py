"""Password hashing (argon2id) and the password rule."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cabledesk.access.errors import AccessError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # argon2 takes anything; a megabyte "password" is a denial of service
HASHER = PasswordHasher()
# Verified against when the account does not exist, so an unknown name costs the same time
# as a wrong password and timing does not tell which names exist.
_DUMMY = HASHER.hash("not a password: timing equaliser")


def check_rule(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise AccessError(
            f"password: expected at least {MIN_LENGTH} characters; found {len(password)}"
        )
    if len(password) > MAX_LENGTH:
        raise AccessError(f"password: expected at most {MAX_LENGTH} characters")
    if not password.strip():
        raise AccessError("password: expected more than spaces")


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    check_rule(password)
    return hasher.hash(password)


def verify(stored: str | None, password: str, hasher: PasswordHasher = HASHER) -> bool:
    """True when `password` matches `stored`; with `stored` None, spends the same time."""
    try:
        return hasher.verify(stored or _DUMMY, password[:MAX_LENGTH]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
