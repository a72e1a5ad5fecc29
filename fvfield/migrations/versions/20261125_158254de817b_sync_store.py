"""sync store: documents, revisions, form versions, attachments, devices, team change_seq

Revision ID: 158254de817b
Revises: 7623602fb961
Create Date: 2026-11-25 19:18:54.115332

"""
from alembic import op
import sqlalchemy as sa

import fvfield.models


# revision identifiers, used by Alembic.
revision = '158254de817b'
down_revision = '7623602fb961'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=36), nullable=True),
    sa.Column('uploaded_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_attachments_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_attachments_uploaded_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_attachments')),
    sa.UniqueConstraint('team_id', 'sha256', name=op.f('uq_attachments_team_id_sha256'))
    )
    op.create_table('devices',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('first_seen_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('last_push_at', fvfield.models.UTCDateTime(), nullable=True),
    sa.Column('last_pull_at', fvfield.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_devices_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_devices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_devices')),
    sa.UniqueConstraint('team_id', 'device_id', 'user_id', name=op.f('uq_devices_team_id_device_id_user_id'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_user_id'), ['user_id'], unique=False)

    op.create_table('documents',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('collection', sa.String(length=10), nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('id_scope', sa.Integer(), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('has_conflict', sa.Boolean(), nullable=False),
    sa.Column('updated_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('author', sa.String(length=36), nullable=True),
    sa.Column('form', sa.String(length=64), nullable=True),
    sa.Column('form_version', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author'], ['users.id'], name=op.f('fk_documents_author_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_documents_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_documents')),
    sa.UniqueConstraint('id', 'id_scope', name=op.f('uq_documents_id_id_scope')),
    sa.UniqueConstraint('team_id', 'seq', name=op.f('uq_documents_team_id_seq'))
    )
    op.create_table('form_versions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('published_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('published_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], name=op.f('fk_form_versions_published_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_form_versions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_form_versions')),
    sa.UniqueConstraint('team_id', 'form_id', 'version', name=op.f('uq_form_versions_team_id_form_id_version'))
    )
    op.create_table('revisions',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.String(length=36), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('collection', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.String(length=64), nullable=False),
    sa.Column('rev', sa.Integer(), nullable=False),
    sa.Column('base_rev', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', fvfield.models.UTCDateTime(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('form', sa.String(length=64), nullable=True),
    sa.Column('form_version', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.String(length=36), nullable=True),
    sa.Column('recorded_at', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=True),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_revisions_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_revisions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_revisions')),
    sa.UniqueConstraint('change_id', name=op.f('uq_revisions_change_id'))
    )
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index('ix_revisions_document', ['team_id', 'document_id', 'rev'], unique=False)

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_seq', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('change_seq')

    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_revisions_document')

    op.drop_table('revisions')
    op.drop_table('form_versions')
    op.drop_table('documents')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_user_id'))

    op.drop_table('devices')
    op.drop_table('attachments')
