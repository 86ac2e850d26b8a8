"""submissions, submitters, their links and audit trail, the seal key

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 07:15:40.041222
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('seal_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pkcs12', sa.LargeBinary(), nullable=False),
    sa.Column('password', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('uploaded', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seal_keys'))
    )
    with op.batch_alter_table('seal_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seal_keys_created_at'), ['created_at'], unique=False)

    op.create_table('submissions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('template_id', sa.Uuid(), nullable=False),
    sa.Column('document_name', sa.String(length=200), nullable=False),
    sa.Column('document_key', sa.String(length=120), nullable=False),
    sa.Column('page_sizes', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('prefills', sa.JSON(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('sent_by', sa.Uuid(), nullable=True),
    sa.Column('message', sa.String(length=2000), nullable=True),
    sa.Column('ordered', sa.Boolean(), nullable=False),
    sa.Column('identity_check', sa.String(length=20), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completion', sa.String(length=20), nullable=True),
    sa.Column('completion_error', sa.String(length=1000), nullable=True),
    sa.Column('completion_tries', sa.Integer(), nullable=False),
    sa.Column('completion_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_pdf_key', sa.String(length=200), nullable=True),
    sa.Column('completed_sha256', sa.String(length=64), nullable=True),
    sa.Column('certificate_key', sa.String(length=200), nullable=True),
    sa.Column('original_sha256', sa.String(length=64), nullable=True),
    sa.Column('trail_head', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_completed_sha256'), ['completed_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_completion'), ['completion'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_document_key'), ['document_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_submissions_template_id'), ['template_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('submitter_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=400), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=500), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_audit_events_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_submission_id'), ['submission_id'], unique=False)

    op.create_table('submitters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('submission_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('contact_id', sa.Uuid(), nullable=True),
    sa.Column('staff_user_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.String(length=2000), nullable=True),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('signature_key', sa.String(length=200), nullable=True),
    sa.Column('initials_key', sa.String(length=200), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=500), nullable=True),
    sa.Column('time_zone', sa.String(length=64), nullable=True),
    sa.Column('reminders_sent', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('identity_code_hash', sa.String(length=64), nullable=True),
    sa.Column('identity_code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('identity_code_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('identity_codes_sent', sa.Integer(), nullable=False),
    sa.Column('identity_code_failures', sa.Integer(), nullable=False),
    sa.Column('identity_attempts', sa.Integer(), nullable=False),
    sa.Column('identity_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_submitters_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submitters'))
    )
    with op.batch_alter_table('submitters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submitters_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_submitters_submission_id'), ['submission_id'], unique=False)

    op.create_table('signing_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('submitter_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('identity_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['submitter_id'], ['submitters.id'], name=op.f('fk_signing_links_submitter_id_submitters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_links'))
    )
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signing_links_submitter_id'), ['submitter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signing_links_token_hash'), ['token_hash'], unique=True)



def downgrade() -> None:
    with op.batch_alter_table('signing_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signing_links_token_hash'))
        batch_op.drop_index(batch_op.f('ix_signing_links_submitter_id'))

    op.drop_table('signing_links')
    with op.batch_alter_table('submitters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submitters_submission_id'))
        batch_op.drop_index(batch_op.f('ix_submitters_contact_id'))

    op.drop_table('submitters')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_submission_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_template_id'))
        batch_op.drop_index(batch_op.f('ix_submissions_status'))
        batch_op.drop_index(batch_op.f('ix_submissions_document_key'))
        batch_op.drop_index(batch_op.f('ix_submissions_created_at'))
        batch_op.drop_index(batch_op.f('ix_submissions_completion'))
        batch_op.drop_index(batch_op.f('ix_submissions_completed_sha256'))
        batch_op.drop_index(batch_op.f('ix_submissions_client_id'))

    op.drop_table('submissions')
    with op.batch_alter_table('seal_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seal_keys_created_at'))

    op.drop_table('seal_keys')
