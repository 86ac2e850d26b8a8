"""one client login per person: a login (email, password) reaches each of its contacts' clients

Revision ID: 0005_client_logins
Revises: 0004_client_activity
Create Date: 2026-12-04 23:00:00

Each client account (a contact's access) gets the login of its email. Accounts whose
contacts share an address (possible before: an address changed after joining) take the
login of the first who joined, whose password was the one logging in. Sessions and
password-reset links of client accounts then name the login, and a session keeps the
access it was opened at. A login's id is its first account's: links and sessions
issued before the upgrade keep working.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_client_logins"
down_revision: str | None = "0004_client_activity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_logins = sa.table(
    "client_logins",
    sa.column("id", sa.Uuid()),
    sa.column("email", sa.String()),
    sa.column("password_hash", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("last_login_at", sa.DateTime(timezone=True)),
)
_accounts = sa.table(
    "client_accounts",
    sa.column("id", sa.Uuid()),
    sa.column("contact_id", sa.Uuid()),
    sa.column("login_id", sa.Uuid()),
    sa.column("password_hash", sa.String()),
    sa.column("joined_at", sa.DateTime(timezone=True)),
    sa.column("last_login_at", sa.DateTime(timezone=True)),
)
_contacts = sa.table("contacts", sa.column("id", sa.Uuid()), sa.column("email", sa.String()))
_sessions = sa.table(
    "auth_sessions",
    sa.column("account_kind", sa.String()),
    sa.column("account_id", sa.Uuid()),
    sa.column("client_account_id", sa.Uuid()),
)
_resets = sa.table(
    "password_resets", sa.column("account_kind", sa.String()), sa.column("account_id", sa.Uuid())
)


def upgrade() -> None:
    op.create_table(
        "client_logins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_logins")),
        sa.UniqueConstraint("email", name=op.f("uq_client_logins_email")),
    )
    with op.batch_alter_table("client_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_account_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_auth_sessions_client_account_id"), ["client_account_id"], unique=False
        )

    _move_accounts_to_logins()

    with op.batch_alter_table("client_accounts", schema=None) as batch_op:
        batch_op.alter_column("login_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(batch_op.f("ix_client_accounts_login_id"), ["login_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_client_accounts_login_id_client_logins"),
            "client_logins",
            ["login_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_column("password_hash")


def _move_accounts_to_logins() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            _accounts.c.id,
            _contacts.c.email,
            _accounts.c.password_hash,
            _accounts.c.joined_at,
            _accounts.c.last_login_at,
        )
        .join(_contacts, _accounts.c.contact_id == _contacts.c.id)
        .order_by(_accounts.c.joined_at, _accounts.c.id)
    ).all()
    login_of_email: dict[str, dict[str, object]] = {}
    login_of_account = {}
    for account_id, email, password_hash, joined_at, last_login_at in rows:
        key = email.strip().lower()
        login = login_of_email.get(key)
        if login is None:
            login = login_of_email[key] = {
                "id": account_id,
                "email": key,
                "password_hash": password_hash,
                "created_at": joined_at,
                "last_login_at": last_login_at,
            }
        elif last_login_at is not None and (
            login["last_login_at"] is None or last_login_at > login["last_login_at"]  # type: ignore[operator]
        ):
            login["last_login_at"] = last_login_at
        login_of_account[account_id] = login["id"]
    if login_of_email:
        bind.execute(sa.insert(_logins), list(login_of_email.values()))
    for account_id, login_id in login_of_account.items():
        bind.execute(
            sa.update(_accounts).where(_accounts.c.id == account_id).values(login_id=login_id)
        )
        # Client sessions and reset links named the account: they now name its login.
        bind.execute(
            sa.update(_sessions)
            .where(_sessions.c.account_kind == "client", _sessions.c.account_id == account_id)
            .values(client_account_id=account_id, account_id=login_id)
        )
        bind.execute(
            sa.update(_resets)
            .where(_resets.c.account_kind == "client", _resets.c.account_id == account_id)
            .values(account_id=login_id)
        )
    # Sessions of accounts gone before the upgrade keep an access that no longer exists:
    # they stay refused, as they were.
    bind.execute(
        sa.update(_sessions)
        .where(_sessions.c.account_kind == "client", _sessions.c.client_account_id.is_(None))
        .values(client_account_id=_sessions.c.account_id)
    )


def downgrade() -> None:
    with op.batch_alter_table("client_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    bind = op.get_bind()
    for account_id, password_hash in bind.execute(
        sa.select(_accounts.c.id, _logins.c.password_hash).join(
            _logins, _accounts.c.login_id == _logins.c.id
        )
    ).all():
        bind.execute(
            sa.update(_accounts)
            .where(_accounts.c.id == account_id)
            .values(password_hash=password_hash)
        )
    bind.execute(
        sa.update(_sessions)
        .where(_sessions.c.account_kind == "client", _sessions.c.client_account_id.is_not(None))
        .values(account_id=_sessions.c.client_account_id)
    )
    with op.batch_alter_table("client_accounts", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_constraint(
            batch_op.f("fk_client_accounts_login_id_client_logins"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_client_accounts_login_id"))
        batch_op.drop_column("login_id")
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_client_account_id"))
        batch_op.drop_column("client_account_id")
    op.drop_table("client_logins")
