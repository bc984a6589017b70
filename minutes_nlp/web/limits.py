"""Limits on sign-in attempts, per account name and per client address, kept in the database.

Every attempt is counted as a failure *before* its password is hashed, by a
compare-and-set on the row's version, so several server processes (or threads)
can never let more guesses through than the policy allows; a success then takes
it back. From the ``free``-th failure on, the next attempt must wait a delay that
doubles each time; at ``lock_after`` failures the key is locked, for
``lock_minutes`` or, when None, until an admin lifts it. A refused attempt costs
a database read and no argon2 hash, so it cannot tie up the cores.

Unknown account names are counted like real ones: a lockout says nothing about
whether the account exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from minutes_nlp.web.db import SignInLimit, aware, iso, now


@dataclass(frozen=True)
class Policy:
    """How many failures a key gets free, how the delay grows after them, and when it locks."""

    free: int
    first_delay: float  # seconds, doubled after each further failure
    max_delay: float
    lock_after: int
    lock_minutes: float | None  # None: until an admin lifts it
    window_minutes: float | None = None  # failures older than this are forgotten; None: only a success clears them

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.first_delay * 2 ** (failures - self.free), self.max_delay)


@dataclass(frozen=True)
class SignInLimits:
    """The two policies: an account locks until an admin lifts it; an address (maybe an office) for an hour."""

    account: Policy = field(default_factory=lambda: Policy(5, 1.0, 300.0, 10, None))
    address: Policy = field(default_factory=lambda: Policy(20, 1.0, 60.0, 100, 60.0, window_minutes=60.0))

    def policy(self, kind: str) -> Policy:
        return self.account if kind == "account" else self.address


@dataclass
class Refusal:
    """Why an attempt is refused without checking its password."""

    kind: str  # account or address
    locked: bool
    retry_after: int  # seconds; 0 when locked until an admin lifts it


def account_key(username: str) -> str:
    return username.strip()[:100]


def _state(row: SignInLimit, policy: Policy, stamp: datetime) -> tuple[int, Refusal | None]:
    """The failures still counted on row at stamp, and the refusal they impose on a new attempt."""
    failures = row.failures
    locked = aware(row.locked_at)
    if locked is not None:
        if policy.lock_minutes is None:
            return failures, Refusal(row.kind, True, 0)
        until = locked + timedelta(minutes=policy.lock_minutes)
        if stamp < until:
            return failures, Refusal(row.kind, True, int((until - stamp).total_seconds()) + 1)
        failures = 0  # the lock has run out: start again
    last = aware(row.last_failure_at)
    if (
        policy.window_minutes is not None
        and last is not None
        and stamp - last > timedelta(minutes=policy.window_minutes)
    ):
        failures = 0
    wait = aware(row.next_allowed_at)
    if failures and wait is not None and stamp < wait:
        return failures, Refusal(row.kind, False, int((wait - stamp).total_seconds()) + 1)
    return failures, None


def _row(session: Session, kind: str, key: str) -> SignInLimit:
    found = session.scalar(select(SignInLimit).where(SignInLimit.kind == kind, SignInLimit.key == key))
    if found is not None:
        return found
    session.add(SignInLimit(kind=kind, key=key, failures=0, version=0))
    try:
        session.commit()
    except IntegrityError:  # another process made it first
        session.rollback()
    return session.scalar(select(SignInLimit).where(SignInLimit.kind == kind, SignInLimit.key == key))


def _reserve(session: Session, kind: str, key: str, policy: Policy) -> tuple[Refusal | None, int]:
    """Count one more failure on (kind, key) unless it is limited; (refusal, failures now counted)."""
    for _attempt in range(20):
        stamp = now()
        row = _row(session, kind, key)
        failures, refusal = _state(row, policy, stamp)
        if refusal is not None:
            return refusal, failures
        failures += 1
        delay = policy.delay(failures)
        done = session.execute(
            update(SignInLimit)
            .where(SignInLimit.id == row.id, SignInLimit.version == row.version)
            .values(
                failures=failures,
                version=row.version + 1,
                last_failure_at=stamp,
                next_allowed_at=stamp + timedelta(seconds=delay) if delay else None,
                locked_at=stamp if failures >= policy.lock_after else None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        session.expire(row)
        if done.rowcount == 1:
            return None, failures
    return Refusal(kind, False, 1), 0  # too many attempts at the same moment


def admit(session: Session, limits: SignInLimits, username: str, address: str) -> Refusal | None:
    """Reserve one attempt for the address, then the account; a Refusal when either is limited or locked."""
    for kind, key in (("address", address[:100]), ("account", account_key(username))):
        refusal, _failures = _reserve(session, kind, key, limits.policy(kind))
        if refusal is not None:
            return refusal
    return None


def is_locked(session: Session, limits: SignInLimits, kind: str, key: str) -> bool:
    row = session.scalar(select(SignInLimit).where(SignInLimit.kind == kind, SignInLimit.key == key))
    if row is None:
        return False
    refusal = _state(row, limits.policy(kind), now())[1]
    return refusal is not None and refusal.locked


def succeeded(session: Session, username: str, address: str) -> None:
    """The password was right: the account starts afresh, and the address gets back the attempt it lent."""
    session.execute(
        update(SignInLimit)
        .where(SignInLimit.kind == "account", SignInLimit.key == account_key(username))
        .values(failures=0, version=SignInLimit.version + 1, next_allowed_at=None, locked_at=None)
    )
    session.execute(
        update(SignInLimit)
        .where(SignInLimit.kind == "address", SignInLimit.key == address[:100], SignInLimit.failures > 0)
        .values(failures=SignInLimit.failures - 1, version=SignInLimit.version + 1)
    )
    session.commit()


def lift(session: Session, kind: str, key: str) -> bool:
    """Clear the failures, delay and lock of (kind, key); False when there was nothing to clear."""
    done = session.execute(
        update(SignInLimit)
        .where(SignInLimit.kind == kind, SignInLimit.key == key, SignInLimit.failures > 0)
        .values(failures=0, version=SignInLimit.version + 1, next_allowed_at=None, locked_at=None)
    )
    session.commit()
    return done.rowcount > 0


def current(session: Session, limits: SignInLimits) -> list[dict]:
    """Every key with failures still counted: kind, key, failures, locked, retry_after (seconds), last failure."""
    stamp = now()
    out = []
    for row in session.scalars(select(SignInLimit).where(SignInLimit.failures > 0).order_by(SignInLimit.kind)):
        failures, refusal = _state(row, limits.policy(row.kind), stamp)
        if not failures:
            continue
        out.append(
            {
                "kind": row.kind,
                "key": row.key,
                "failures": failures,
                "locked": bool(refusal and refusal.locked),
                "retry_after": refusal.retry_after if refusal else 0,
                "last_failure_at": iso(row.last_failure_at),
            }
        )
    return out


def refusal_message(refusal: Refusal) -> str:
    """What the person signing in is told (the same whether or not the account exists)."""
    from minutes_nlp.i18n import _

    if refusal.locked and refusal.kind == "account":
        if refusal.retry_after:
            return _(
                "Too many wrong passwords: this account is locked for {seconds} seconds, or until an administrator "
                "unlocks it."
            ).format(seconds=refusal.retry_after)
        return _("Too many wrong passwords: this account is locked until an administrator unlocks it.")
    if refusal.locked:
        return _(
            "Too many failed sign-ins from your address: it is locked for {seconds} seconds, or until an "
            "administrator unlocks it."
        ).format(seconds=refusal.retry_after)
    return _("Too many failed sign-ins: wait {seconds} seconds before trying again.").format(
        seconds=refusal.retry_after
    )
