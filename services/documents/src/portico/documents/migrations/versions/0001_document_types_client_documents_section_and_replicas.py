"""document types, client documents, the section's settings, the client and staff replicas

Revision ID: 0001
Revises: 
Create Date: 2026-12-06 23:56:42.088823
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('client_replicas',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('assigned_staff_id', sa.Uuid(), nullable=True),
    sa.Column('contacts', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_client_replicas'))
    )
    op.create_table('document_types',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_fr', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('upload_mode', sa.String(length=20), nullable=False),
    sa.Column('formats', sa.JSON(), nullable=False),
    sa.Column('max_size_mib', sa.Integer(), nullable=False),
    sa.Column('expires', sa.Boolean(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('client_tag', sa.String(length=50), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_types'))
    )
    op.create_table('section_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shown', sa.Boolean(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('required_for_access', sa.Boolean(), nullable=False),
    sa.Column('review', sa.Boolean(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section_settings'))
    )
    op.create_table('staff_replicas',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_staff_replicas'))
    )
    op.create_table('client_documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('document_type_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('file_key', sa.String(length=300), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('uploaded_by_kind', sa.String(length=20), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=200), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_types.id'], name=op.f('fk_client_documents_document_type_id_document_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_documents')),
    sa.UniqueConstraint('client_id', 'document_type_id', name=op.f('uq_client_documents_client_id'))
    )
    with op.batch_alter_table('client_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_documents_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_documents_document_type_id'), ['document_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_documents_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_documents_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('client_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_documents_status'))
        batch_op.drop_index(batch_op.f('ix_client_documents_expires_on'))
        batch_op.drop_index(batch_op.f('ix_client_documents_document_type_id'))
        batch_op.drop_index(batch_op.f('ix_client_documents_client_id'))

    op.drop_table('client_documents')
    op.drop_table('staff_replicas')
    op.drop_table('section_settings')
    op.drop_table('document_types')
    op.drop_table('client_replicas')
